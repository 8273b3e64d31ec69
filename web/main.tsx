import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { startLive } from './live.ts';
import { boot } from './state.ts';
import { App } from './views/App.tsx';

/** The console's entry: render at once, load everything, then follow the live stream. */
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
  // A figure for the bench and the browser test: the first screen's data is in (its
  // render follows in the same task).
  void boot(() => performance.mark('heatnet:first-data')).then(() => startLive());
}
