// Browser entry: mounts the Svelte app.
import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/global.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks <div id="app">');
mount(App, { target });
