import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** Where the sql.js WebAssembly lives: beside the bundle when shipped, in node_modules otherwise. */
function wasmPath(): string {
  const shipped = path.join(__dirname, 'sql-wasm.wasm');
  if (fs.existsSync(shipped)) return shipped;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('sql-wasm.wasm not found beside the bundle or in node_modules');
  }
}

/** Loads sql.js once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs({ wasmBinary: fs.readFileSync(wasmPath()) as unknown as ArrayBuffer }).catch((err) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
