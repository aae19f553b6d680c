/*
 * Reads a Dockerfile and a .dockerignore the way Docker does, for tests that
 * check an image recipe, or do what it says outside Docker (no Docker engine
 * runs on Slipway's build machines).
 *
 * Covered: comments and parser directives, line continuations, the JSON
 * (exec) and shell forms, ENV in both forms, COPY and RUN flags, and
 * .dockerignore patterns (`*`, `?`, `**`, `!` exceptions, last match wins, a
 * pattern that matches a folder leaves out everything in it), as
 * github.com/moby/patternmatcher matches them. Not covered: variable
 * expansion, heredocs, character classes, multi-stage builds (`COPY --from`):
 * the reader refuses what it cannot follow rather than guess.
 */

import fs from 'node:fs';
import path from 'node:path';

/** One instruction, continuation lines joined. */
export interface DockerInstruction {
  /** FROM, RUN, COPY, ... (upper case). */
  keyword: string;
  /** Everything after the keyword, trimmed. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

/** Splits a Dockerfile into instructions. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const result: DockerInstruction[] = [];
  let current: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    // Comment lines (parser directives included) are dropped, also inside
    // a continued instruction; so are empty lines.
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continued = /\\$/.test(trimmed);
    const piece = continued ? trimmed.slice(0, -1) : trimmed;
    if (current) current.text += ` ${piece}`;
    else current = { text: piece, line: index + 1 };
    if (!continued) {
      const match = /^(\S+)\s*([\s\S]*)$/.exec(current.text.trim())!;
      result.push({
        keyword: match[1].toUpperCase(),
        args: match[2].trim(),
        line: current.line,
      });
      current = undefined;
    }
  });
  if (current) {
    throw new Error(
      `line ${current.line}: the file ends inside a continuation`,
    );
  }
  return result;
}

/** `--name=value` flags at the start of an instruction, and the rest. */
export function splitFlags(args: string): {
  flags: Record<string, string[]>;
  rest: string;
} {
  const flags: Record<string, string[]> = {};
  let rest = args;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest);
    if (!match) break;
    (flags[match[1]] ??= []).push(match[2] ?? 'true');
    rest = rest.slice(match[0].length);
  }
  return { flags, rest: rest.trim() };
}

/** The exec form's array, or the shell form run by /bin/sh -c. */
export function commandOf(args: string): string[] {
  if (args.startsWith('[')) {
    const parsed = JSON.parse(args);
    if (
      !Array.isArray(parsed) ||
      parsed.some((a: unknown) => typeof a !== 'string')
    ) {
      throw new Error(`not a JSON array of strings: ${args}`);
    }
    return parsed;
  }
  return ['/bin/sh', '-c', args];
}

/** Splits shell-like words (double and single quotes, backslashes). */
function words(text: string): string[] {
  const out: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) {
        word += text[++i];
      } else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else {
      word ??= '';
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\' && i + 1 < text.length) word += text[++i];
      else word += c;
    }
  }
  if (quote) throw new Error(`unterminated quote in ${text}`);
  if (word !== undefined) out.push(word);
  return out;
}

/** ENV's variables: `A=1 B="two words"`, or the legacy `A one value`. */
export function parseEnv(args: string): Record<string, string> {
  const legacy = /^([^\s=]+)\s+([\s\S]*)$/.exec(args);
  if (legacy && !legacy[1].includes('=')) return { [legacy[1]]: legacy[2] };
  const env: Record<string, string> = {};
  for (const word of words(args)) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`ENV ${args}: expected NAME=value`);
    env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return env;
}

/** A COPY: sources relative to the build context, dest as written. */
export interface CopyStep {
  kind: 'copy';
  line: number;
  sources: string[];
  dest: string;
  user: string;
  workdir: string;
}

/** A RUN, its flags (--mount, ...) taken off. */
export interface RunStep {
  kind: 'run';
  line: number;
  command: string[];
  flags: Record<string, string[]>;
  user: string;
  workdir: string;
  /** The ENV in force when it runs. */
  env: Record<string, string>;
}

/** A single-stage image recipe, as the final image sees it. */
export interface ImageRecipe {
  instructions: DockerInstruction[];
  base: string;
  steps: Array<CopyStep | RunStep>;
  /** Every ENV, in order (later wins). */
  env: Record<string, string>;
  workdir: string;
  user: string;
  cmd: string[];
  expose: string[];
  healthcheck?: { flags: Record<string, string[]>; command: string[] };
  /** Build arguments (ARG names). */
  args: string[];
}

/** Follows a Dockerfile's instructions into what the image ends up with. */
export function readImageRecipe(dockerfile: string): ImageRecipe {
  const instructions = parseDockerfile(fs.readFileSync(dockerfile, 'utf8'));
  const recipe: ImageRecipe = {
    instructions,
    base: '',
    steps: [],
    env: {},
    workdir: '/',
    user: 'root',
    cmd: [],
    expose: [],
    args: [],
  };
  const where = (i: DockerInstruction) => `${dockerfile}:${i.line}`;
  for (const ins of instructions) {
    switch (ins.keyword) {
      case 'FROM':
        if (recipe.base) {
          throw new Error(`${where(ins)}: multi-stage builds are not followed`);
        }
        recipe.base = ins.args.split(/\s+/)[0];
        break;
      case 'USER':
        recipe.user = ins.args;
        break;
      case 'WORKDIR':
        recipe.workdir = path.posix.resolve(recipe.workdir, ins.args);
        break;
      case 'ENV':
        Object.assign(recipe.env, parseEnv(ins.args));
        break;
      case 'ARG':
        recipe.args.push(ins.args.split('=')[0]);
        break;
      case 'EXPOSE':
        recipe.expose.push(...ins.args.split(/\s+/));
        break;
      case 'CMD':
        recipe.cmd = commandOf(ins.args);
        break;
      case 'HEALTHCHECK': {
        const { flags, rest } = splitFlags(ins.args);
        const match = /^CMD\s+([\s\S]*)$/i.exec(rest);
        if (!match) throw new Error(`${where(ins)}: expected HEALTHCHECK CMD`);
        recipe.healthcheck = { flags, command: commandOf(match[1]) };
        break;
      }
      case 'COPY':
      case 'ADD': {
        const { flags, rest } = splitFlags(ins.args);
        if (ins.keyword === 'ADD' || flags.from) {
          throw new Error(
            `${where(ins)}: only COPY from the build context is followed`,
          );
        }
        const parts = rest.startsWith('[') ? commandOf(rest) : words(rest);
        if (parts.length < 2) throw new Error(`${where(ins)}: COPY src dest`);
        recipe.steps.push({
          kind: 'copy',
          line: ins.line,
          sources: parts.slice(0, -1),
          dest: parts[parts.length - 1],
          user: recipe.user,
          workdir: recipe.workdir,
        });
        break;
      }
      case 'RUN': {
        const { flags, rest } = splitFlags(ins.args);
        recipe.steps.push({
          kind: 'run',
          line: ins.line,
          command: commandOf(rest),
          flags,
          user: recipe.user,
          workdir: recipe.workdir,
          env: { ...recipe.env },
        });
        break;
      }
      case 'LABEL':
      case 'STOPSIGNAL':
      case 'SHELL':
        break;
      default:
        throw new Error(`${where(ins)}: ${ins.keyword} is not followed`);
    }
  }
  return recipe;
}

const NO_WILDCARD = /^[^*?[\\]*/;

interface IgnorePattern {
  source: string;
  negated: boolean;
  regex: RegExp;
  /** The pattern's leading part without wildcards. */
  literalPrefix: string;
}

function patternRegex(pattern: string): RegExp {
  const segments = pattern.split('/');
  let re = '^';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      re += last ? '.*' : '(?:.*/)?';
      return;
    }
    re += segment
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
    if (!last) re += '/';
  });
  return new RegExp(`${re}$`);
}

/** A .dockerignore: which paths of the build context the build sees. */
export class DockerIgnore {
  readonly patterns: IgnorePattern[];

  constructor(text: string) {
    this.patterns = text
      .split(/\r?\n/)
      .map(l => l.trim())
      .filter(l => l !== '' && !l.startsWith('#'))
      .map(line => {
        const negated = line.startsWith('!');
        const cleaned = path.posix
          .normalize(negated ? line.slice(1).trim() : line)
          .replace(/^\/+/, '')
          .replace(/\/+$/, '');
        return {
          source: line,
          negated,
          regex: patternRegex(cleaned),
          literalPrefix: NO_WILDCARD.exec(cleaned)![0],
        };
      });
  }

  static read(contextDir: string): DockerIgnore {
    const file = path.join(contextDir, '.dockerignore');
    return new DockerIgnore(
      fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '',
    );
  }

  /** Whether a path (relative to the context, `/`-separated) is left out. */
  ignores(relPath: string): boolean {
    const parts = relPath.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const p of this.patterns) {
      if (candidates.some(c => p.regex.test(c))) ignored = !p.negated;
    }
    return ignored;
  }

  /** Whether some exception (`!pattern`) may let in a path below `dir`. */
  #mayLetInBelow(dir: string): boolean {
    const prefix = `${dir}/`;
    return this.patterns.some(
      p =>
        p.negated &&
        (p.literalPrefix.startsWith(prefix) ||
          prefix.startsWith(p.literalPrefix)),
    );
  }

  /**
   * Every file under `rel` (a file or folder of the context) that the build
   * sees, relative to the context.
   */
  files(contextDir: string, rel = ''): string[] {
    const out: string[] = [];
    const visit = (relPath: string) => {
      const abs = path.join(contextDir, relPath);
      const stat = fs.lstatSync(abs);
      if (stat.isDirectory()) {
        if (
          relPath !== '' &&
          this.ignores(relPath) &&
          !this.#mayLetInBelow(relPath)
        ) {
          return;
        }
        for (const entry of fs.readdirSync(abs).sort()) {
          visit(relPath === '' ? entry : `${relPath}/${entry}`);
        }
      } else if (!this.ignores(relPath)) {
        out.push(relPath);
      }
    };
    visit(rel);
    return out;
  }
}
