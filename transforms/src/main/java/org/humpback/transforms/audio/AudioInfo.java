package org.humpback.transforms.audio;

import java.io.Serializable;

/**
 * What a recording is, as read from its container and codec headers.
 *
 * @param container demuxer name, e.g. {@code wav}, {@code mp3}, {@code ogg}, {@code flac}
 * @param codec decoder name, e.g. {@code pcm_s16le}, {@code mp3float}, {@code vorbis}
 * @param sampleRate the file's own sample rate in Hz
 * @param channels the file's channel count (the decoder downmixes to mono)
 * @param durationSeconds duration from the headers; an estimate for formats without one (-1 if unknown)
 * @param estimatedSamples expected mono samples at the decoder's output rate (the target rate, or the
 *     native rate when none was given), from the duration; -1 if unknown
 */
public record AudioInfo(
    String container, String codec, int sampleRate, int channels, double durationSeconds, long estimatedSamples)
    implements Serializable {}
