// Svelte compiler options shared by Vite and svelte-check: runes mode everywhere.
export default {
  compilerOptions: { runes: true },
};
