/**
 * Tokens of one rule line, produced by a hand-written scanner and fed to the chevrotain grammar
 * as its token source. Chevrotain's own regex lexer is several times slower on million-line
 * dumps, and the token classes here depend only on the first characters of each word.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

/*
 * The patterns below describe each class for chevrotain (and for the reference lexer the tests
 * compare against); parsing itself uses the hand-written scanner at the end of this file.
 */
const END = '(?!\\S)';
/** Characters a bare word may start with: printable ASCII except space, quotes and `-`/`!`/`[`. */
const WORD_START = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./:,_+*%@#$&()<>=?^`{|}~;]\\',
];

export const Bang = createToken({
  name: 'Bang',
  pattern: new RegExp(`!${END}`),
  start_chars_hint: ['!'],
});
export const MatchFlag = createToken({
  name: 'MatchFlag',
  pattern: new RegExp(`(?:-m|--match)${END}`),
  start_chars_hint: ['-'],
});
export const JumpFlag = createToken({
  name: 'JumpFlag',
  pattern: new RegExp(`(?:-j|--jump)${END}`),
  start_chars_hint: ['-'],
});
export const GotoFlag = createToken({
  name: 'GotoFlag',
  pattern: new RegExp(`(?:-g|--goto)${END}`),
  start_chars_hint: ['-'],
});
export const CommandFlag = createToken({
  name: 'CommandFlag',
  pattern: new RegExp(`(?:-A|--append|-I|--insert|-N|--new-chain|-P|--policy)${END}`),
  start_chars_hint: ['-'],
});
export const Option = createToken({
  name: 'Option',
  pattern: new RegExp(`--?[A-Za-z-]\\S*`),
  start_chars_hint: ['-'],
});
/** `[pkts:bytes]` counters prefix of `iptables-save -c`. */
export const CounterPrefix = createToken({
  name: 'CounterPrefix',
  pattern: new RegExp(`\\[\\d+:\\d+\\]${END}`),
  start_chars_hint: ['['],
});
export const Quoted = createToken({
  name: 'Quoted',
  pattern: /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/,
  start_chars_hint: ['"', "'"],
});
export const Word = createToken({
  name: 'Word',
  pattern: /[^\s"']\S*/,
  start_chars_hint: [...WORD_START, '-', '!', '['],
});
export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /\s+/,
  group: Lexer.SKIPPED,
  start_chars_hint: [' ', '\t', '\r', '\v', '\f'],
});

export const allTokens: TokenType[] = [
  CounterPrefix,
  Bang,
  CommandFlag,
  MatchFlag,
  JumpFlag,
  GotoFlag,
  Option,
  Quoted,
  Word,
];

/**
 * chevrotain's own lexer over the same token classes. Not used for parsing (the scanner below
 * is several times faster); tests compare the two so the patterns stay the specification.
 */
export function referenceLexer(): Lexer {
  return new Lexer([WhiteSpace, ...allTokens], {
    ensureOptimizations: true,
    positionTracking: 'onlyOffset',
  });
}

/** A token whose `payload` holds the unescaped value of a quoted word. */
export interface RuleToken extends IToken {
  readonly payload: string;
  /** Position of the token in its line's token list. */
  index: number;
  /** `tokenClassCode(tokenType)`, kept with the token. */
  readonly classCode: number;
}

/**
 * A token that slices its text only when asked. Most tokens of a large dump are never looked at
 * as strings (their module or target was already built from identical text), and ten million
 * substrings cost more in garbage collection than the rest of the parse.
 */
class LazyToken implements RuleToken {
  source = '';
  startOffset = 0;
  endOffset = 0;
  startLine = 1;
  endLine = 1;
  index = 0;
  tokenTypeIdx = 0;
  classCode = 0;
  /** 0: bare word; 1: quoted and closed; 2: quoted, unterminated. */
  quoting = 0;

  constructor(public tokenType: TokenType) {}

  get startColumn(): number {
    return this.startOffset + 1;
  }

  get endColumn(): number {
    return this.endOffset + 1;
  }

  get image(): string {
    return this.source.slice(this.startOffset, this.endOffset + 1);
  }

  get payload(): string {
    if (this.quoting === 0) return this.image;
    const inner = this.source.slice(
      this.startOffset + 1,
      this.quoting === 1 ? this.endOffset : this.endOffset + 1,
    );
    return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
  }
}

const WORD_TYPES: Record<string, TokenType> = {
  '--match': MatchFlag,
  '--jump': JumpFlag,
  '--goto': GotoFlag,
  '--append': CommandFlag,
  '--insert': CommandFlag,
  '--new-chain': CommandFlag,
  '--policy': CommandFlag,
};

/** Classes of the two-character flags `-X`, by the letter. */
function shortFlagType(letter: number): TokenType {
  switch (letter) {
    case 109 /* m */:
      return MatchFlag;
    case 106 /* j */:
      return JumpFlag;
    case 103 /* g */:
      return GotoFlag;
    case 65 /* A */:
    case 73 /* I */:
    case 78 /* N */:
    case 80 /* P */:
      return CommandFlag;
    default:
      return Option;
  }
}

export interface LexError {
  readonly offset: number;
  readonly message: string;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Token lists are reused from line to line (`tokens` keeps its objects and `count` says how many
 * are live): the parse of a line is finished before the next line is tokenised.
 */
export interface TokenBuffer {
  readonly tokens: RuleToken[];
  count: number;
}

export function newTokenBuffer(): TokenBuffer {
  return { tokens: [], count: 0 };
}

function pushToken(
  buf: TokenBuffer,
  source: string,
  tokenType: TokenType,
  start: number,
  end: number,
  quoting: number,
): void {
  const index = buf.count++;
  let t = buf.tokens[index] as LazyToken | undefined;
  if (t === undefined) {
    t = new LazyToken(tokenType);
    t.index = index;
    buf.tokens.push(t);
  }
  t.source = source;
  t.tokenType = tokenType;
  t.tokenTypeIdx = tokenType.tokenTypeIdx as number;
  t.classCode = classCodeOf(tokenType);
  t.startOffset = start;
  t.endOffset = end - 1;
  t.quoting = quoting;
}

/** Class codes of the token types, used to memoise the grammar per token-class sequence. */
export function tokenClassCode(t: TokenType): number {
  return CLASS_CODES.get(t) ?? allTokens.length;
}

const WORD_CODE = allTokens.indexOf(Word);
const OPTION_CODE = allTokens.indexOf(Option);
const MATCH_CODE = allTokens.indexOf(MatchFlag);
const JUMP_CODE = allTokens.indexOf(JumpFlag);

/** tokenClassCode for the scanner's own tokens: the common classes without a map lookup. */
function classCodeOf(t: TokenType): number {
  if (t === Word) return WORD_CODE;
  if (t === Option) return OPTION_CODE;
  if (t === MatchFlag) return MATCH_CODE;
  if (t === JumpFlag) return JUMP_CODE;
  return tokenClassCode(t);
}

const COUNTER_RE = /^\[\d+:\d+\]$/;

const CLASS_CODES = new Map<TokenType, number>(allTokens.map((t, i) => [t, i]));

/**
 * Splits `text[start..end)` into tokens. Offsets are relative to `text`, so a caller that passes
 * a whole line gets columns for free. Quotes follow iptables-restore: double quotes group words,
 * a backslash escapes the next character inside them.
 */
export function tokenizeRule(
  text: string,
  start: number,
  end: number,
  out: TokenBuffer,
  errors: LexError[],
): void {
  out.count = 0;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const begin = i;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      i++;
      let closed = false;
      while (i < end) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \\ */ && i + 1 < end) {
          i += 2;
          continue;
        }
        i++;
        if (d === c) {
          closed = true;
          break;
        }
      }
      if (!closed) errors.push({ offset: begin, message: 'unterminated quoted string' });
      pushToken(out, text, Quoted, begin, i, closed ? 1 : 2);
      continue;
    }
    while (i < end && !isSpace(text.charCodeAt(i))) i++;
    const length = i - begin;
    let type: TokenType = Word;
    if (c === 33 /* ! */ && length === 1) type = Bang;
    else if (c === 45 /* - */ && length > 1) {
      const d = text.charCodeAt(begin + 1);
      if (length === 2) type = isLetter(d) ? shortFlagType(d) : d === 45 ? Option : Word;
      else if (d === 45) type = WORD_TYPES[text.slice(begin, i)] ?? Option;
      else type = isLetter(d) ? Option : Word;
    } else if (c === 91 /* [ */ && begin === start && COUNTER_RE.test(text.slice(begin, i))) {
      type = CounterPrefix;
    }
    pushToken(out, text, type, begin, i, 0);
  }
}
