/**
 * Reads Warden's own source with the TypeScript parser and reports what the security rules
 * forbid, each with its file and line:
 * - shell: a `shell` option that is not literally false; exec/execSync (always a shell);
 *   execa's command-string forms (execaCommand, `$`); a spawn/execFile/execa whose program is
 *   built from a template or `+`, or is a string holding spaces (a command line, not a program);
 * - process: child_process or execa imported anywhere in src/ but the runner and the effects
 *   (every other command goes through Facts or Effects);
 * - electron: 'electron' imported outside src/main and src/preload;
 * - html: innerHTML, outerHTML, insertAdjacentHTML, document.write, srcdoc,
 *   createContextualFragment, eval and new Function: host text must reach the page as text.
 * The parser, not a regex, so comments and strings that mention these never count.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type Rule = 'shell' | 'process' | 'electron' | 'html';

export interface Violation {
  file: string;
  line: number;
  rule: Rule;
  what: string;
}

const CHILD_PROCESS = new Set(['child_process', 'node:child_process']);
const SHELL_ALWAYS = new Set(['exec', 'execSync']);
const EXECA_STRINGS = new Set(['execaCommand', 'execaCommandSync', '$']);
const SPAWNERS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork', 'execa', 'execaSync', 'execaNode']);
const HTML_PROPERTIES = new Set(['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'srcdoc', 'createContextualFragment']);
/** The two modules that start processes; everything else asks them. */
const PROCESS_MODULES = new Set(['src/platform/runner.ts', 'src/platform/effects.ts']);

function isElectron(specifier: string): boolean {
  return specifier === 'electron' || specifier.startsWith('electron/');
}

function mayImportElectron(file: string): boolean {
  return file.startsWith('src/main/') || file.startsWith('src/preload/');
}

/** `file` is the path relative to the repository, with forward slashes; it decides which rules apply. */
export function scanSource(text: string, file: string): Violation[] {
  const kind = file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const out: Violation[] = [];
  const report = (node: ts.Node, rule: Rule, what: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    out.push({ file, line, rule, what });
  };
  const inSrc = file.startsWith('src/');
  const childProcessNames = namesBoundToChildProcess(source);

  const moduleImported = (specifier: string, node: ts.Node) => {
    if (isElectron(specifier) && !mayImportElectron(file)) report(node, 'electron', `imports ${specifier}`);
    if ((CHILD_PROCESS.has(specifier) || specifier === 'execa') && inSrc && !PROCESS_MODULES.has(file)) report(node, 'process', `imports ${specifier}`);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      moduleImported(specifier, node);
      const named = node.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) {
        for (const element of named.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (CHILD_PROCESS.has(specifier) && SHELL_ALWAYS.has(imported)) report(element, 'shell', `imports ${imported} from ${specifier} (always runs a shell)`);
          if (specifier === 'execa' && EXECA_STRINGS.has(imported)) report(element, 'shell', `imports ${imported} from execa (a command string)`);
        }
      }
    }

    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const first = node.arguments[0];
      // require('x') and import('x')
      if (first && ts.isStringLiteralLike(first) && ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword)) {
        moduleImported(first.text, node);
      }
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
      if (name && ts.isPropertyAccessExpression(callee) && SHELL_ALWAYS.has(name) && isChildProcess(callee.expression, childProcessNames)) {
        report(node, 'shell', `calls ${callee.getText(source)}() (always runs a shell)`);
      }
      if (name && SPAWNERS.has(name) && first) {
        if (ts.isTemplateExpression(first) || (ts.isBinaryExpression(first) && first.operatorToken.kind === ts.SyntaxKind.PlusToken)) {
          report(node, 'shell', `${name}() with a program built from a ${ts.isTemplateExpression(first) ? 'template' : 'concatenation'}`);
        } else if (ts.isStringLiteralLike(first) && /\s/.test(first.text)) {
          report(node, 'shell', `${name}(${JSON.stringify(first.text.slice(0, 40))}): a command line, not a program`);
        }
      }
      if (ts.isPropertyAccessExpression(callee) && (name === 'write' || name === 'writeln') && ts.isIdentifier(callee.expression) && callee.expression.text === 'document') {
        report(node, 'html', `document.${name}()`);
      }
      if (ts.isIdentifier(callee) && callee.text === 'eval') report(node, 'html', 'eval()');
    }

    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === '$') report(node, 'shell', 'execa $`…` (a command string)');

    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') report(node, 'html', 'new Function()');

    if (ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) {
      const key = node.name;
      const keyText = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : null;
      if (keyText === 'shell') {
        const value = ts.isPropertyAssignment(node) ? node.initializer : null;
        if (!value || value.kind !== ts.SyntaxKind.FalseKeyword) report(node, 'shell', `shell: ${value ? value.getText(source) : 'shell'}`);
      }
    }

    if ((ts.isPropertyAccessExpression(node) && HTML_PROPERTIES.has(node.name.text)) || (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression) && HTML_PROPERTIES.has(node.argumentExpression.text))) {
      const prop = ts.isPropertyAccessExpression(node) ? node.name.text : (node.argumentExpression as ts.StringLiteral).text;
      report(node, 'html', `.${prop}`);
    }

    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function requiresChildProcess(node: ts.Node): boolean {
  if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'require') return false;
  const arg = node.arguments[0];
  return arg !== undefined && ts.isStringLiteralLike(arg) && CHILD_PROCESS.has(arg.text);
}

/** Names the module binds to child_process itself: `import * as cp`, `import cp`, `const cp = require(…)`. */
function namesBoundToChildProcess(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && CHILD_PROCESS.has(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause?.name) names.add(clause.name.text);
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) names.add(clause.namedBindings.name.text);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && requiresChildProcess(node.initializer)) names.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** `cp.exec(…)` on child_process, not `regex.exec(…)` or `db.exec(…)`. */
function isChildProcess(expression: ts.Expression, names: ReadonlySet<string>): boolean {
  return (ts.isIdentifier(expression) && names.has(expression.text)) || requiresChildProcess(expression);
}

/** Every .ts, .js, .mjs and .cjs file under these folders of `root`, relative, sorted. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir))) {
      const rel = `${dir}/${entry}`;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (/\.(ts|js|mjs|cjs)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(rel);
    }
  };
  for (const folder of folders) walk(folder);
  return out.sort();
}

export function scanTree(root: string, folders: readonly string[]): Violation[] {
  return sourceFiles(root, folders).flatMap((file) => scanSource(readFileSync(path.join(root, file), 'utf8'), file));
}
