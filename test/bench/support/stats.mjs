// The statistics every benchmark reports: medians, and figures rounded for the table.
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const seconds = (ms) => Number((ms / 1000).toFixed(3));
export const round = (value, digits = 2) => Number(value.toFixed(digits));
