export const total = (items) => items.reduce((a, b) => a + b, 0);
export const render = (s) => s;
