/** One printed figure: `npm run bench` shows these as a table, `--json FILE` writes them as an array. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/** A named benchmark; `npm run bench -- --only NAME` runs those whose name contains NAME. */
export interface Benchmark {
  name: string;
  run(): Promise<Figure[]>;
}
