export * from './cadastral-grid.ts';
export * from './clip.ts';
export * from './coordinates-csv.ts';
export * from './distance.ts';
export * from './measure.ts';
export * from './prefilter.ts';
export * from './types.ts';
export * from './validate.ts';
