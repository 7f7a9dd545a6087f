// The run report: render a run record as a self-contained HTML file, write it, and look at it
// through headless Chromium.
export { renderReport } from './render.ts';
export { reportFileName, writeReport } from './write.ts';
export { renderInChromium, screenshotReport } from './chromium.ts';
export type { ChromiumOptions, ScreenshotOptions } from './chromium.ts';
