import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rebasePath, runFiles } from '../../src/core/workflows/pathRebase';
import { parseUntrustedYaml, readUntrustedYaml } from '../../src/core/workflows/untrustedYaml';
import { WorkflowCatalog } from '../../src/core/workflows/workflowCatalog';
import { MAX_WORKFLOW_NODES, workflowDefinition } from '../../src/core/workflows/workflowDefinition';
import { cleanupTempDirs, tempDir } from '../support/fixtures';

function reason(result: { ok: boolean; reason?: string }): string {
  assert.equal(result.ok, false, 'expected a refusal');
  return result.reason!;
}

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const LAUGHS =
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n' +
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n' +
  'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n';

describe('untrusted workflow YAML', () => {
  after(cleanupTempDirs);

  it('parses a plain workflow, with anchors, aliases and merge keys used as people do', () => {
    const r = parseUntrustedYaml('base: &b {bash: echo hi}\nname: w\nnodes:\n  - id: a\n    <<: *b\n  - {id: b, depends_on: [a], prompt: "x"}\n');
    assert.ok(r.ok);
    assert.deepEqual((r.value as { nodes: unknown[] }).nodes, [{ id: 'a', bash: 'echo hi' }, { id: 'b', depends_on: ['a'], prompt: 'x' }]);
  });

  it('refuses a billion laughs instead of expanding it', () => {
    assert.match(reason(parseUntrustedYaml(LAUGHS)), /alias/i);
  });

  it('refuses custom and non-core tags, and runs nothing', () => {
    for (const tag of ['!!js/function "process.exit(1)"', '!foo bar', '!!binary aGVsbG8=', '!!set {x}', '!!timestamp 2001-12-14', '!!python/object:os.system [ls]']) {
      assert.match(reason(parseUntrustedYaml(`name: w\nx: ${tag}\n`)), /tag/, tag);
    }
    assert.ok(parseUntrustedYaml('name: !!str w\nn: !!int "3"\n').ok, 'core tags stay allowed');
  });

  it('refuses a file above the size limit before reading it whole (10 MB)', async () => {
    const file = write(path.join(tempDir(), 'big.yaml'), 'name: w\ndescription: "' + 'x'.repeat(10 * 1024 * 1024) + '"\n');
    const started = Date.now();
    assert.match(reason(await readUntrustedYaml(file)), /10\.0 MB, above the 1\.0 MB limit/);
    assert.ok(Date.now() - started < 2000);
    assert.match(reason(parseUntrustedYaml('a: ' + 'x'.repeat(2 * 1024 * 1024))), /above the 1\.0 MB limit/);
  });

  it('refuses deep nesting before building it (thousands of [ would exhaust the stack, or abort the process)', () => {
    for (const n of [1000, 10000, 200000]) assert.match(reason(parseUntrustedYaml('a: ' + '['.repeat(n) + ']'.repeat(n))), /nests collections more than 64/, String(n));
    let block = '';
    for (let i = 0; i < 100; i++) block += ' '.repeat(i) + 'a:\n';
    assert.match(reason(parseUntrustedYaml(block + ' '.repeat(100) + 'x\n')), /nests collections/);
    assert.ok(parseUntrustedYaml('a: ' + '['.repeat(60) + ']'.repeat(60)).ok);
  });

  it('gives the line of a syntax error, and refuses duplicate keys, several documents and empty files', async () => {
    assert.match(reason(parseUntrustedYaml('name: w\nnodes: [\n  - id: a\n')), /^line \d+: /);
    assert.match(reason(parseUntrustedYaml('name: w\nname: v\n')), /^line 2: .*unique/);
    assert.match(reason(parseUntrustedYaml('a: 1\n---\nb: 2\n')), /several YAML documents/);
    assert.match(reason(parseUntrustedYaml('')), /empty/);
    assert.match(reason(await readUntrustedYaml(path.join(tempDir(), 'missing.yaml'))), /cannot be read/);
  });

  it('keeps __proto__ an ordinary key', () => {
    const r = parseUntrustedYaml('__proto__: {polluted: 1}\nname: w\n');
    assert.ok(r.ok);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(r.value), Object.prototype);
  });
});

describe('workflow definitions (Archon\'s authoring keys to its node kinds)', () => {
  it('maps every authoring key to the kind Archon\'s parser gives it, with edges and targets', () => {
    const r = workflowDefinition({
      name: 'w',
      description: 'd',
      interactive: true,
      nodes: [
        { id: 'c', command: 'plan' },
        { id: 'p', prompt: 'hi', depends_on: ['c'] },
        { id: 'b', bash: 'echo' },
        { id: 's', script: 'x.ts', runtime: 'bun' },
        { id: 'g', approval: { message: 'ok?' } },
        { id: 'h', cancel: 'stop' },
        { id: 'i', include: 'block', depends_on: ['b'] },
        { id: 'w', workflow: 'child' },
        { id: 'l', loop: { prompt: 'x', until: 'DONE' } },
        { id: 'lg', loop_group: { max_iterations: 3, nodes: [{ id: 'x', bash: 'a' }, { id: 'y', prompt: 'b', depends_on: ['x'] }] } },
      ],
    });
    assert.ok(r.ok);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.workflow.nodes.map((n) => [n.id, n.kind, n.dependsOn, n.target]),
      [
        ['c', 'agent', [], null],
        ['p', 'agent', ['c'], null],
        ['b', 'exec', [], null],
        ['s', 'exec', [], null],
        ['g', 'gate', [], null],
        ['h', 'halt', [], null],
        ['i', 'include', ['b'], 'block'],
        ['w', 'workflow', [], 'child'],
        ['l', 'loop', [], null],
        ['lg', 'loop_group', [], null],
      ],
    );
    assert.deepEqual(r.workflow.nodes[9].body!.map((n) => [n.id, n.kind, n.dependsOn]), [['x', 'exec', []], ['y', 'agent', ['x']]]);
    assert.equal(r.workflow.interactive, true);
  });

  it('leaves out what is not a node and says why; refuses no name and too many nodes', () => {
    const r = workflowDefinition({ name: 'w', nodes: [{ bash: 'x' }, 'text', { id: 'a', bash: '  ' }, { id: 'b', bash: 'x', prompt: 'y' }, { id: 'b', bash: 'z' }, { id: 'c', bash: 'x', depends_on: 'b' }] });
    assert.ok(r.ok);
    // Archon's transform tests prompt before bash.
    assert.deepEqual(r.workflow.nodes.map((n) => [n.id, n.kind]), [['b', 'agent'], ['c', 'exec']]);
    assert.equal(r.problems.length, 6, r.problems.join('\n'));
    assert.match(r.problems.join('\n'), /node 'b' has prompt and bash, which Archon refuses together; read as prompt/);
    assert.deepEqual(workflowDefinition({ nodes: [] }), { ok: false, reason: "it has no 'name'" });
    assert.deepEqual(workflowDefinition(['x']), { ok: false, reason: 'it does not hold a YAML mapping' });
    const many = workflowDefinition({ name: 'w', nodes: Array.from({ length: MAX_WORKFLOW_NODES + 1 }, (_, i) => ({ id: `n${i}`, bash: 'x' })) });
    assert.deepEqual(many, { ok: false, reason: `it has more than ${MAX_WORKFLOW_NODES} nodes` });
  });
});

describe('workflow catalog (Archon\'s discovery: scopes, packaged workflows, names)', () => {
  it('finds a workflow by its name:, project over global over bundled, packaged ones too', async () => {
    const root = tempDir();
    const project = path.join(root, 'project', '.archon', 'workflows');
    const global = path.join(root, 'global', 'workflows');
    const bundled = path.join(root, 'bundled', 'workflows');
    write(path.join(bundled, 'defaults', 'review.yaml'), 'name: review\nnodes: [{id: bundled, bash: x}]\n');
    write(path.join(global, 'mine.yaml'), 'name: review\nnodes: [{id: global, bash: x}]\n');
    write(path.join(project, 'other-file.yml'), '# the name is not the file name\nname: "review"\nnodes: [{id: project, bash: x}]\n');
    write(path.join(bundled, 'pack', 'flow', 'flow.yaml'), 'name: packaged\nnodes: [{id: p, bash: x}]\n');
    write(path.join(project, 'group', 'nested.yaml'), 'name: nested\nnodes: [{id: n, bash: x}]\n');
    write(path.join(project, 'broken.yaml'), 'name: [\n');
    write(path.join(project, 'odd.yaml'), 'nodes: [{id: o, bash: x}]\nname: >-\n  folded\n');
    const scopes = [
      { scope: 'project' as const, dir: project },
      { scope: 'global' as const, dir: global },
      { scope: 'bundled' as const, dir: path.join(bundled, 'defaults'), packagedDir: bundled },
    ];
    const catalog = await WorkflowCatalog.open(scopes);
    const review = await catalog.find('review');
    assert.deepEqual([review?.scope, review?.workflow.nodes[0].id], ['project', 'project']);
    assert.equal((await catalog.find('packaged'))?.scope, 'bundled');
    assert.equal((await catalog.find('nested'))?.workflow.nodes[0].id, 'n');
    assert.equal((await catalog.find('folded'))?.file, path.join(project, 'odd.yaml'), 'a name the quick scan cannot read is found by parsing');
    assert.equal(await catalog.find('absent'), undefined);
    assert.deepEqual(catalog.errors.map((e) => path.basename(e.file)), ['broken.yaml']);

    const onlyLower = await WorkflowCatalog.open(scopes.slice(1));
    assert.equal((await onlyLower.find('review'))?.scope, 'global');
    const all = await (await WorkflowCatalog.open(scopes)).all();
    assert.deepEqual(all.map((w) => `${w.name}:${w.scope}`).sort(), ['folded:project', 'nested:project', 'packaged:bundled', 'review:project']);
  });

  it('a higher scope\'s file of the same file name replaces a lower one, whatever its name: (Archon overrides by file name)', async () => {
    const root = tempDir();
    write(path.join(root, 'g', 'x.yaml'), 'name: from-global\nnodes: [{id: a, bash: x}]\n');
    write(path.join(root, 'p', 'x.yaml'), 'name: from-project\nnodes: [{id: a, bash: x}]\n');
    const catalog = await WorkflowCatalog.open([
      { scope: 'global', dir: path.join(root, 'g') },
      { scope: 'project', dir: path.join(root, 'p') },
    ]);
    assert.equal(await catalog.find('from-global'), undefined);
    assert.equal((await catalog.find('from-project'))?.scope, 'project');
  });
});

describe('moved paths', () => {
  it('keeps a path that exists, moves one that does not onto the Archon home by its workspaces/ part, and stays inside the home', () => {
    const home = tempDir();
    const run = path.join(home, 'workspaces', 'git', 'widgets', 'artifacts', 'runs', 'r1');
    fs.mkdirSync(run, { recursive: true });
    assert.deepEqual(rebasePath(run, home), { path: run, exists: true, rebased: false });
    assert.deepEqual(rebasePath('/home/dev/.archon/workspaces/git/widgets/artifacts/runs/r1', home), { path: run, exists: true, rebased: true });
    assert.deepEqual(rebasePath('/.archon/workspaces/git/widgets/artifacts/runs/r1', home), { path: run, exists: true, rebased: true }, 'a Docker path');
    assert.deepEqual(rebasePath('/workspaces/proj/.archon/workspaces/git/widgets/artifacts/runs/r1', home).path, run, 'a home under a folder named workspaces');
    assert.equal(rebasePath('/x/workspaces/../../etc', home).exists, false);
    assert.deepEqual(rebasePath('/elsewhere/runs/r1', home), { path: '/elsewhere/runs/r1', exists: false, rebased: false });
    assert.equal(rebasePath('/home/dev/.archon/workspaces/git/widgets/artifacts/runs/r1', null).exists, false);
    const files = runFiles({ id: 'r1', outputRoot: '/home/dev/.archon/workspaces/git/widgets' }, home);
    assert.equal(files.artifacts?.path, run);
    assert.equal(files.log?.exists, false);
    assert.deepEqual(runFiles({ id: '../r1', outputRoot: '/home/dev/.archon/workspaces/git/widgets' }, home), { artifacts: null, log: null });
  });
});
