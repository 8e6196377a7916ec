// chart.js for the page's charts: the parts registered once, and a warm-up. The first chart a page
// makes costs chart.js's cold start (≈ 150–190 ms of main thread in headless Chromium here, against
// ≈ 10–30 ms for every later one); warming up on a detached canvas while the model loads keeps that
// out of the first iteration, whose training curves are the first charts most visits draw.
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

export { Chart };

let warmed = false;

/** Draw and drop one small chart on a canvas that is not in the page (once). */
export function warmUpCharts(): void {
  if (warmed || typeof document === 'undefined') return;
  warmed = true;
  const canvas = document.createElement('canvas');
  canvas.width = 300;
  canvas.height = 150;
  const chart = new Chart(canvas, {
    type: 'line',
    data: { labels: ['1', '2', '3'], datasets: [{ label: 'warm-up', data: [1, 0.5, 0.25] }] },
    options: { animation: false, responsive: false, scales: { x: { title: { display: true, text: 'x' } }, y: { title: { display: true, text: 'y' } } } },
  });
  chart.destroy();
}
