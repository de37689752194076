/*
 * COpus: libopus for Swift. opus_encoder_ctl and opus_decoder_ctl are variadic and their
 * requests are token-pasting macros, neither of which Swift imports, so the few controls the
 * gateway uses are wrapped here. Every shim symbol starts with copus_.
 */
#ifndef COPUS_SHIM_H
#define COPUS_SHIM_H

#include <opus/opus.h>

static inline int copus_encoder_set_bitrate(OpusEncoder *enc, opus_int32 bitrate) {
    return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate));
}
static inline int copus_encoder_set_complexity(OpusEncoder *enc, opus_int32 complexity) {
    return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
}
static inline int copus_encoder_set_inband_fec(OpusEncoder *enc, opus_int32 on) {
    return opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(on));
}

#endif
