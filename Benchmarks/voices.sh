#!/usr/bin/env bash
# Other voices for the speech benchmark: the sentences of a transcripts.tsv spoken by other flite
# voices and sent through G.711 µ-law at 8 kHz, one corpus folder per voice, each with its own
# transcripts.tsv. The speech corpus is one voice (slt); a setting that helps only there is tuned
# to that voice, so Benchmarks/README.md reports settings on these too.
#
#   Benchmarks/voices.sh OUT-DIR [TRANSCRIPTS.tsv] [VOICE...]
#
# TRANSCRIPTS.tsv defaults to ../shared/corpus/speech/transcripts.tsv; voices to awb rms kal16.
# Needs flite and sox (apt-get install flite sox). Then, for example:
#   Benchmarks/speech.sh --quiet OUT-DIR/awb
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: Benchmarks/voices.sh OUT-DIR [TRANSCRIPTS.tsv] [VOICE...]}"
tsv="${2:-$root/../shared/corpus/speech/transcripts.tsv}"
shift $(( $# >= 2 ? 2 : 1 ))
voices=("$@")
[ ${#voices[@]} -gt 0 ] || voices=(awb rms kal16)

for voice in "${voices[@]}"; do
  mkdir -p "$out/$voice"
  : > "$out/$voice/transcripts.tsv"
  while IFS=$'\t' read -r file text; do
    [ -n "$file" ] || continue
    flite -voice "$voice" -t "$text" -o "$out/$voice/wide-$file"
    # Down to 8 kHz µ-law and back to 16-bit linear, as a G.711 call delivers it.
    sox "$out/$voice/wide-$file" -r 8000 -c 1 -e u-law -t wav - | sox -t wav - -e signed-integer -b 16 "$out/$voice/$file"
    rm "$out/$voice/wide-$file"
    printf '%s\t%s\n' "$file" "$text" >> "$out/$voice/transcripts.tsv"
  done < "$tsv"
done
