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
  payload: string;
  /** Position of the token in its line's token list. */
  index: number;
}

const WORD_TYPES: Record<string, TokenType> = {
  '-m': MatchFlag,
  '--match': MatchFlag,
  '-j': JumpFlag,
  '--jump': JumpFlag,
  '-g': GotoFlag,
  '--goto': GotoFlag,
  '-A': CommandFlag,
  '--append': CommandFlag,
  '-I': CommandFlag,
  '--insert': CommandFlag,
  '-N': CommandFlag,
  '--new-chain': CommandFlag,
  '-P': CommandFlag,
  '--policy': CommandFlag,
};

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
 * Token lists are reused from line to line (`out` keeps its objects and `count` says how many
 * are live), because allocating fifteen million token objects for a large dump costs more than
 * parsing them.
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
  tokenType: TokenType,
  image: string,
  payload: string,
  start: number,
  end: number,
): void {
  const index = buf.count++;
  let t = buf.tokens[index];
  if (t === undefined) {
    t = {
      image,
      payload,
      index,
      startOffset: start,
      endOffset: end - 1,
      startLine: 1,
      endLine: 1,
      startColumn: start + 1,
      endColumn: end,
      tokenType,
      tokenTypeIdx: tokenType.tokenTypeIdx as number,
    };
    buf.tokens.push(t);
    return;
  }
  t.image = image;
  t.payload = payload;
  t.startOffset = start;
  t.endOffset = end - 1;
  t.startColumn = start + 1;
  t.endColumn = end;
  t.tokenType = tokenType;
  t.tokenTypeIdx = tokenType.tokenTypeIdx as number;
}

/** Class codes of the token types, used to memoise the grammar per token-class sequence. */
export function tokenClassCode(t: TokenType): number {
  return CLASS_CODES.get(t) ?? 63;
}

const CLASS_CODES = new Map<TokenType, number>(allTokens.map((t, i) => [t, 65 + i]));

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
      const quote = c;
      let value = '';
      let chunkStart = i + 1;
      i++;
      let closed = false;
      while (i < end) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */ && i + 1 < end) {
          value += text.slice(chunkStart, i);
          chunkStart = i + 1;
          i += 2;
          continue;
        }
        if (d === quote) {
          value += text.slice(chunkStart, i);
          i++;
          closed = true;
          break;
        }
        i++;
      }
      if (!closed) {
        value += text.slice(chunkStart, end);
        errors.push({ offset: begin, message: 'unterminated quoted string' });
      }
      pushToken(out, Quoted, text.slice(begin, i), value, begin, i);
      continue;
    }
    while (i < end && !isSpace(text.charCodeAt(i))) i++;
    const image = text.slice(begin, i);
    let type: TokenType;
    if (image === '!') type = Bang;
    else if (c === 45 /* - */ && image.length > 1) {
      const d = image.charCodeAt(1);
      type = WORD_TYPES[image] ?? (isLetter(d) || d === 45 ? Option : Word);
    } else if (c === 91 /* [ */ && begin === start && /^\[\d+:\d+\]$/.test(image)) {
      type = CounterPrefix;
    } else type = Word;
    pushToken(out, type, image, image, begin, i);
  }
}
