/**
 * Label and field selectors, written and read as the Kubernetes API defines
 * them. Browser-safe (no Node built-ins).
 *
 * Label selectors need no escaping: keys and values have a restricted
 * alphabet, so a value that could change the selector's meaning (a `,`, a
 * `)`, a space) is refused with a RangeError instead of being sent.
 * Field selectors take any value: `\`, `,` and `=` are escaped with a
 * backslash, as the API server's field selector parser expects. Percent
 * encoding for the URL is URLSearchParams' job, not this module's.
 */

/** One requirement of a label selector (the metav1 operators plus `=`/`!=`/`Gt`/`Lt`). */
export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'Gt' | 'Lt';
  values?: readonly string[];
}

/** A metav1.LabelSelector as objects carry it (e.g. a Deployment's `spec.selector`). */
export interface LabelSelectorObject {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/**
 * What `labelSelector` accepts: a ready string (sent as is), `{app: 'web'}`
 * (equality), a metav1.LabelSelector, or a list of requirements.
 */
export type LabelSelectorInput = string | Readonly<Record<string, string>> | LabelSelectorObject | readonly LabelRequirement[];

/** One requirement of a field selector. `==` reads as `=`. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** What `fieldSelector` accepts: a ready string, `{'metadata.name': 'x'}`, or a list of requirements. */
export type FieldSelectorInput = string | Readonly<Record<string, string>> | readonly FieldRequirement[];

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const FIELD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-[\]/]*$/;

/** True for a valid label key: `[prefix/]name`, prefix a DNS subdomain (≤ 253), name ≤ 63. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash === -1) return NAME_PART.test(key);
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME_PART.test(name);
}

/** True for a valid label value: empty, or ≤ 63 characters of `[A-Za-z0-9_.-]` starting and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value === '' || NAME_PART.test(value);
}

function checkKey(key: string): string {
  if (!isLabelKey(key)) throw new RangeError(`invalid label key ${JSON.stringify(key)}`);
  return key;
}

function checkValue(value: string, key: string): string {
  if (!isLabelValue(value)) throw new RangeError(`invalid value ${JSON.stringify(value)} for label ${JSON.stringify(key)}`);
  return value;
}

function isRequirementList<T>(input: unknown): input is readonly T[] {
  return Array.isArray(input);
}

function isSelectorObject(input: object): input is LabelSelectorObject {
  const { matchLabels, matchExpressions } = input as Record<string, unknown>;
  // A label key `matchLabels` with a string value stays a label: only the metav1 shapes count.
  return (typeof matchLabels === 'object' && matchLabels !== null) || Array.isArray(matchExpressions);
}

const OPERATOR_ALIASES: Readonly<Record<string, LabelRequirement['operator']>> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
  Equals: 'Equals',
  NotEquals: 'NotEquals',
  Gt: 'Gt',
  Lt: 'Lt',
};

/** Writes one label requirement in the API's syntax. */
function formatLabelRequirement(req: LabelRequirement): string {
  const key = checkKey(req.key);
  const values = (req.values ?? []).map((v) => checkValue(v, key));
  const one = (): string => {
    if (values.length !== 1) throw new RangeError(`label operator ${req.operator} needs exactly one value for ${JSON.stringify(key)}`);
    return values[0]!;
  };
  switch (req.operator) {
    case 'Equals':
      return `${key}=${one()}`;
    case 'NotEquals':
      return `${key}!=${one()}`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    case 'Gt':
    case 'Lt': {
      const value = one();
      if (!/^-?\d+$/.test(value)) throw new RangeError(`label operator ${req.operator} needs an integer, got ${JSON.stringify(value)}`);
      return `${key}${req.operator === 'Gt' ? '>' : '<'}${value}`;
    }
    case 'In':
    case 'NotIn':
      // The API refuses an empty set: say so here rather than send a request that fails.
      if (values.length === 0) throw new RangeError(`label operator ${req.operator} needs at least one value for ${JSON.stringify(key)}`);
      return `${key} ${req.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`;
    default:
      throw new RangeError(`unknown label operator ${JSON.stringify((req as { operator: unknown }).operator)}`);
  }
}

/**
 * The `labelSelector` query value for any accepted input. Strings pass
 * through unchanged (the caller wrote them); everything else is validated.
 */
export function formatLabelSelector(input: LabelSelectorInput): string {
  if (typeof input === 'string') return input;
  const parts: string[] = [];
  if (isRequirementList<LabelRequirement>(input)) {
    for (const req of input) parts.push(formatLabelRequirement(req));
    return parts.join(',');
  }
  if (isSelectorObject(input)) {
    for (const [key, value] of Object.entries(input.matchLabels ?? {})) {
      parts.push(formatLabelRequirement({ key, operator: 'Equals', values: [value] }));
    }
    for (const expression of input.matchExpressions ?? []) {
      const operator = OPERATOR_ALIASES[expression.operator];
      if (operator === undefined) throw new RangeError(`unknown label operator ${JSON.stringify(expression.operator)}`);
      parts.push(formatLabelRequirement({ key: expression.key, operator, ...(expression.values ? { values: expression.values } : {}) }));
    }
    return parts.join(',');
  }
  for (const [key, value] of Object.entries(input as Record<string, string>)) {
    parts.push(formatLabelRequirement({ key, operator: 'Equals', values: [value] }));
  }
  return parts.join(',');
}

/** Escapes a field selector value: `\` → `\\`, `,` → `\,`, `=` → `\=`. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** The `fieldSelector` query value for any accepted input (strings pass through). */
export function formatFieldSelector(input: FieldSelectorInput): string {
  if (typeof input === 'string') return input;
  const requirements: FieldRequirement[] = isRequirementList<FieldRequirement>(input)
    ? [...input]
    : Object.entries(input as Record<string, string>).map(([field, value]) => ({ field, operator: '=' as const, value }));
  return requirements
    .map(({ field, operator, value }) => {
      if (!FIELD_NAME.test(field)) throw new RangeError(`invalid field name ${JSON.stringify(field)}`);
      if (operator !== '=' && operator !== '!=') throw new RangeError(`unknown field operator ${JSON.stringify(operator)}`);
      if (typeof value !== 'string') throw new RangeError(`field ${JSON.stringify(field)} needs a string value`);
      return `${field}${operator}${escapeFieldValue(value)}`;
    })
    .join(',');
}

/** Joins selector strings with `,` (the API's AND), leaving out empty ones. */
export function joinSelectors(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join(',');
}

// ---------------------------------------------------------------------------
// Reading selectors (the replay server filters with these).

/** Splits at commas that are not escaped with `\` (nor, in label selectors, inside `( )`). */
function splitTerms(text: string, parentheses: boolean): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[i + 1]!;
      i++;
      continue;
    }
    if (parentheses && c === '(') depth++;
    if (parentheses && c === ')') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  // Values keep their spaces (a field value may have them); callers trim what is syntax.
  return terms.filter((t) => t.trim() !== '');
}

/** Parses a `labelSelector` value; RangeError on syntax the API would refuse. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  return splitTerms(text, true).map((raw) => {
    const term = raw.trim();
    let match = /^!\s*(\S+)$/.exec(term);
    if (match) return { key: checkKey(match[1]!), operator: 'DoesNotExist' };
    match = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (match) {
      const key = checkKey(match[1]!);
      const values = match[3]!.split(',').map((v) => checkValue(v.trim(), key));
      return { key, operator: match[2] === 'in' ? 'In' : 'NotIn', values };
    }
    match = /^([^\s=!<>]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(term);
    if (match) {
      const key = checkKey(match[1]!);
      const value = checkValue(match[3]!, key);
      const operator = ({ '=': 'Equals', '==': 'Equals', '!=': 'NotEquals', '>': 'Gt', '<': 'Lt' } as const)[match[2] as '=' | '==' | '!=' | '>' | '<'];
      return { key, operator, values: [value] };
    }
    return { key: checkKey(term), operator: 'Exists' };
  });
}

/** True when `labels` satisfy every requirement. */
export function matchesLabelSelector(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  const get = (key: string): string | undefined => (labels !== undefined && Object.hasOwn(labels, key) ? labels[key] : undefined);
  return requirements.every((req) => {
    const value = get(req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Equals':
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotEquals':
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Gt':
      case 'Lt': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        const a = Number(value);
        const b = Number(values[0]);
        return req.operator === 'Gt' ? a > b : a < b;
      }
      default:
        return false;
    }
  });
}

/** Parses a `fieldSelector` value, undoing the backslash escapes. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  return splitTerms(text, false).map((term) => {
    let i = 0;
    let field = '';
    while (i < term.length && term[i] !== '=' && term[i] !== '!') field += term[i++];
    let operator: '=' | '!=';
    if (term.startsWith('!=', i)) {
      operator = '!=';
      i += 2;
    } else if (term.startsWith('==', i)) {
      operator = '=';
      i += 2;
    } else if (term[i] === '=') {
      operator = '=';
      i += 1;
    } else {
      throw new RangeError(`invalid field selector term ${JSON.stringify(term)}`);
    }
    field = field.trim();
    if (!FIELD_NAME.test(field)) throw new RangeError(`invalid field name ${JSON.stringify(field)}`);
    let value = '';
    for (; i < term.length; i++) {
      const c = term[i]!;
      if (c === '\\' && i + 1 < term.length) value += term[++i]!;
      else if (c === '=' || c === ',') throw new RangeError(`unescaped ${JSON.stringify(c)} in field selector value`);
      else value += c;
    }
    return { field, operator, value };
  });
}

/** True when the object's fields (read by `get`, undefined when absent) satisfy every requirement. */
export function matchesFieldSelector(requirements: readonly FieldRequirement[], get: (field: string) => string | undefined): boolean {
  return requirements.every(({ field, operator, value }) => {
    const actual = get(field) ?? '';
    return operator === '=' ? actual === value : actual !== value;
  });
}
