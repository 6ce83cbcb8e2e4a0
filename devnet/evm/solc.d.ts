// Minimal typing for solc-js (the package ships none): only what compile.ts uses.
declare module 'solc' {
  const solc: { compile(input: string): string; version(): string };
  export default solc;
}
