#!/usr/bin/env bash
# Speech benchmark: the embedded recognizer (PocketSphinx 5.1.1, en-us) on the caller speech
# corpus, fed as a call feeds it (8 kHz, 20 ms chunks, one session per utterance), twice in one
# run: with the open-vocabulary language model, and biased towards a bot's phrases
# (deploy/bots/demo.json). Prints each file's hypothesis and what the bot does with it, then for
# both word error rate, topic accuracy, real-time factor, the latency of finish() and what a
# decoder costs to load. See Benchmarks/README.md.
#
#   Benchmarks/speech.sh [--no-build] [voicegate-speech-bench options] [corpus-dir]
#
# corpus-dir defaults to ../shared/corpus/speech (WAV files and transcripts.tsv). The options
# (--bot, --passes, --phrases, --phrase-weight, --pre-roll, --front-end, --cepstral-mean,
# --set NAME=VALUE, --chunk, --estimate-cepstral-mean, --quiet) are the bench's own:
# `Benchmarks/speech.sh --help` lists them. Builds in release mode: the real-time factor of a debug
# build says little.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
if [ "$build" = 1 ]; then
  swift build -c release --product voicegate-speech-bench >&2
fi
exec "$root/.build/release/voicegate-speech-bench" "$@"
