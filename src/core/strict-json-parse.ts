/**
 * A plain recursive-descent JSON parser with JSON.parse's results: the same
 * values, the same key order, the last of duplicate keys wins, `__proto__`
 * an own data property. It is several times slower than JSON.parse and is
 * used only for the frames JSON.parse may misread (see json-parse.ts).
 * Depth is bounded by the caller's depth check before this runs.
 */
export function strictJsonParse(text: string): unknown {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (parser.at < text.length) parser.fail('unexpected data after the JSON value');
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser {
  at = 0;

  constructor(private readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at position ${this.at} of the JSON text`);
  }

  skipSpace(): void {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else break;
    }
    this.at = at;
  }

  value(): unknown {
    const c = this.text[this.at];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return object;
    }
    for (;;) {
      if (this.text[this.at] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.at] !== ':') this.fail("expected ':' after a key");
      this.at++;
      this.skipSpace();
      const value = this.value();
      // Assignment would call the __proto__ setter; JSON.parse makes it data.
      if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      else object[key] = value;
      this.skipSpace();
      const next = this.text[this.at++];
      if (next === '}') return object;
      if (next !== ',') this.fail("expected ',' or '}' in an object");
      this.skipSpace();
    }
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return array;
    }
    for (;;) {
      array.push(this.value());
      this.skipSpace();
      const next = this.text[this.at++];
      if (next === ']') return array;
      if (next !== ',') this.fail("expected ',' or ']' in an array");
      this.skipSpace();
    }
  }

  private string(): string {
    const text = this.text;
    this.at++;
    let out = '';
    for (;;) {
      PLAIN_RUN.lastIndex = this.at;
      PLAIN_RUN.test(text);
      out += text.slice(this.at, PLAIN_RUN.lastIndex);
      this.at = PLAIN_RUN.lastIndex;
      const c = text[this.at];
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c !== '\\') this.fail(c === undefined ? 'unterminated string' : 'control character in a string');
      const escape = text[this.at + 1] ?? '';
      if (escape === 'u') {
        const hex = text.slice(this.at + 2, this.at + 6);
        if (!HEX4.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.at += 6;
      } else {
        const simple = Object.hasOwn(SIMPLE_ESCAPES, escape) ? SIMPLE_ESCAPES[escape] : undefined;
        if (simple === undefined) this.fail('bad escape');
        out += simple;
        this.at += 2;
      }
    }
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail('unexpected token');
    this.at += word.length;
    return value;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null || match[0].length === 0 || match[0] === '-') this.fail('unexpected token');
    this.at += match[0].length;
    return Number(match[0]);
  }
}
