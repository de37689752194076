/*
 * CPocketSphinx: the PocketSphinx 5 speech recognizer for Swift (deploy/setup.sh builds it).
 *
 * PocketSphinx 5 configures decoders with plain typed setters (ps_config_set_str/_int/_float),
 * which Swift imports as they are; the variadic cmd_ln_init() of 0.8 is gone. What Swift cannot
 * import are its function-like macros, such as the voice activity detector's frame length,
 * wrapped here as they are needed. Its log callback type is variadic, so Swift cannot
 * provide one; the recognizer sets the log level through the decoder's configuration instead.
 * Every shim symbol starts with cpocketsphinx_.
 */
#ifndef CPOCKETSPHINX_SHIM_H
#define CPOCKETSPHINX_SHIM_H

#include <pocketsphinx.h>

/* Length in seconds of the frames ps_vad_classify() takes (the VAD may round the one asked for). */
static inline double cpocketsphinx_vad_frame_length(ps_vad_t *vad) {
    return ps_vad_frame_length(vad);
}

#endif
