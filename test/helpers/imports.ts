/**
 * The imports of TypeScript sources, read without a compiler: every
 * `import ... from`, `import '...'`, `export ... from`, `import x = require()`
 * and `import('...')` (dynamic, or in a type position), `import type`
 * included (esbuild and tsc's emit drop those, so their metafiles cannot be
 * used for a layering check). A small tokenizer skips comments, strings,
 * template literals (with `${}` nesting) and regular expressions, so an
 * import written inside any of them is not taken for a real one.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface ImportSite {
  /** As written: `./x.js`, `node:fs`, `js-yaml`. */
  specifier: string;
  /** `static` (import/export from, import = require), `dynamic` (import(), value or type position). */
  form: 'static' | 'dynamic';
  /** `import type` / `export type` / every named binding marked `type`. */
  typeOnly: boolean;
  line: number;
}

/** A specifier that is not a string literal (`import(name)`): the check cannot follow it. */
export interface ComputedImport {
  line: number;
}

type Token =
  | { kind: 'word'; text: string; line: number }
  | { kind: 'string'; text: string; line: number }
  | { kind: 'punct'; text: string; line: number }
  | { kind: 'other'; text: string; line: number };

/** Words after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** For each open `{`: true when it is a template literal's `${`. */
  const braces: boolean[] = [];
  let i = 0;
  let line = 1;
  const n = source.length;

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (prev === undefined) return true;
    if (prev.kind === 'word') return REGEX_AFTER_WORDS.has(prev.text);
    if (prev.kind === 'string' || prev.kind === 'other') return false;
    return !(prev.text === ')' || prev.text === ']' || prev.text === '}');
  };

  /** Reads template characters from i (just after ` or a closing `}` of `${`) to the closing ` or the next `${`. */
  const template = (): void => {
    const start = line;
    while (i < n) {
      const c = source[i]!;
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (c === '`') {
        i++;
        tokens.push({ kind: 'other', text: 'template', line: start });
        return;
      }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        braces.push(true);
        tokens.push({ kind: 'punct', text: '(', line: start });
        return;
      }
      i++;
    }
  };

  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\ufeff') {
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      for (let j = i; j < stop; j++) if (source[j] === '\n') line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      const start = line;
      let text = '';
      i++;
      // A quoted string ends at its quote or, unterminated (a `/` misread as division before it), at the line's end.
      while (i < n && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') {
          if (source[i + 1] === '\n') line++;
          text += source[i + 1] ?? '';
          i += 2;
        } else {
          text += source[i];
          i++;
        }
      }
      if (source[i] === c) i++;
      tokens.push({ kind: 'string', text, line: start });
    } else if (c === '`') {
      i++;
      template();
    } else if (c === '{') {
      braces.push(false);
      tokens.push({ kind: 'punct', text: '{', line });
      i++;
    } else if (c === '}') {
      i++;
      if (braces.pop() === true) {
        tokens.push({ kind: 'punct', text: ')', line });
        template();
      } else {
        tokens.push({ kind: 'punct', text: '}', line });
      }
    } else if (c === '/' && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < n) {
        const d = source[i]!;
        if (d === '\\') i += 2;
        else if (d === '\n') break; // not a regex after all; resume on the next line
        else {
          i++;
          if (d === '[') inClass = true;
          else if (d === ']') inClass = false;
          else if (d === '/' && !inClass) break;
        }
      }
      while (i < n && /[a-z]/i.test(source[i]!)) i++;
      tokens.push({ kind: 'other', text: 'regex', line });
    } else if (/[A-Za-z_$#\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$\u0080-\uffff]/.test(source[j]!)) j++;
      tokens.push({ kind: 'word', text: source.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(source[j]!)) j++;
      tokens.push({ kind: 'other', text: 'number', line });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    }
  }
  return tokens;
}

/** Words and punctuation an import or export clause is made of (before `from`). */
function isClauseToken(t: Token): boolean {
  return t.kind === 'word' || (t.kind === 'punct' && (t.text === '{' || t.text === '}' || t.text === ',' || t.text === '*'));
}

/** The imports of one source file, in order, and the dynamic imports it makes of computed specifiers. */
export function readImports(source: string): { imports: ImportSite[]; computed: ComputedImport[] } {
  const tokens = tokenize(source);
  const imports: ImportSite[] = [];
  const computed: ComputedImport[] = [];
  const at = (k: number): Token | undefined => tokens[k];
  const is = (k: number, text: string): boolean => {
    const t = at(k);
    return t !== undefined && t.kind !== 'string' && t.text === text;
  };

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'word' || (t.text !== 'import' && t.text !== 'export')) continue;
    if (is(k - 1, '.')) continue; // obj.import(...), a property
    // import('x'), as a value or in a type (`typeof import('x')`, `import('x').T`)
    if (t.text === 'import' && is(k + 1, '(')) {
      const spec = at(k + 2);
      if (spec?.kind === 'string' && (is(k + 3, ')') || is(k + 3, ','))) imports.push({ specifier: spec.text, form: 'dynamic', typeOnly: false, line: t.line });
      else computed.push({ line: t.line });
      continue;
    }
    if (t.text === 'import' && is(k + 1, '.')) continue; // import.meta
    // import 'x' (side effects only)
    if (t.text === 'import' && at(k + 1)?.kind === 'string') {
      imports.push({ specifier: at(k + 1)!.text, form: 'static', typeOnly: false, line: t.line });
      continue;
    }
    // The clause up to `from 'x'` (or `= require('x')`), made only of words, braces, commas and `*`.
    let j = k + 1;
    const clause: Token[] = [];
    while (j < tokens.length && isClauseToken(tokens[j]!) && !(is(j, 'from') && at(j + 1)?.kind === 'string')) {
      // `import x = require('y')`
      if (t.text === 'import' && is(j + 1, '=') && is(j + 2, 'require') && is(j + 3, '(') && at(j + 4)?.kind === 'string') {
        imports.push({ specifier: at(j + 4)!.text, form: 'static', typeOnly: is(k + 1, 'type'), line: t.line });
        break;
      }
      clause.push(tokens[j]!);
      j++;
    }
    if (!(is(j, 'from') && at(j + 1)?.kind === 'string')) continue;
    if (t.text === 'export' && !(is(k + 1, '*') || is(k + 1, '{') || (is(k + 1, 'type') && (is(k + 2, '{') || is(k + 2, '*'))))) continue;
    imports.push({ specifier: at(j + 1)!.text, form: 'static', typeOnly: isTypeOnlyClause(clause), line: t.line });
    k = j + 1;
  }
  return { imports, computed };
}

/** `type {a}`, `type X`, or `{ type a, type b }`: nothing of it exists at run time. */
function isTypeOnlyClause(clause: Token[]): boolean {
  if (clause[0]?.text === 'type' && clause[1] !== undefined && clause[1].text !== ',' && clause[1].text !== 'from') return true;
  if (clause[0]?.text !== '{') return false;
  // Every binding inside the braces starts with `type`.
  let expectBinding = true;
  let sawBinding = false;
  for (const t of clause.slice(1)) {
    if (t.text === '}') break;
    if (t.text === ',') {
      expectBinding = true;
      continue;
    }
    if (expectBinding) {
      if (t.text !== 'type') return false;
      sawBinding = true;
      expectBinding = false;
    }
  }
  return sawBinding;
}

/** Every `.ts` file under `dir` (absolute paths, sorted). */
export function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

export type Target =
  | { kind: 'file'; path: string }
  | { kind: 'builtin'; name: string }
  | { kind: 'package'; name: string }
  | { kind: 'unresolved'; specifier: string };

/** What a specifier in `fromFile` names: a source file (as NodeNext resolves `./x.js` to `./x.ts`), a Node built-in or a package. */
export function resolveImport(fromFile: string, specifier: string): Target {
  if (specifier.startsWith('node:')) return { kind: 'builtin', name: specifier.slice(5) };
  if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    if (BUILTINS.has(parts[0]!) || BUILTINS.has(specifier)) return { kind: 'builtin', name: specifier };
    return { kind: 'package', name };
  }
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, join(base, 'index.ts')];
  for (const path of candidates) if (path.endsWith('.ts') && existsSync(path) && statSync(path).isFile()) return { kind: 'file', path };
  return { kind: 'unresolved', specifier };
}

/** `src/a/b.ts` style, with forward slashes, relative to `root`. */
export function projectPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

/** Every circle in a directed graph (one per strongly connected component of more than one node, or a self-edge), each as a path a → ... → a. */
export function findCircles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  // Tarjan's strongly connected components, then one shortest circle through each.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) visit(v);
  return components.map((component) => shortestCircle(graph, component));
}

/** A shortest path from the component's first node back to itself, inside the component (breadth first). */
function shortestCircle(graph: ReadonlyMap<string, ReadonlySet<string>>, component: string[]): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = parent.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}
