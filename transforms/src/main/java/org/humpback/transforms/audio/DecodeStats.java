package org.humpback.transforms.audio;

import java.io.Serializable;
import java.util.List;

/**
 * What happened while decoding one file: the non-fatal problems a user should know about.
 *
 * @param inputSamples samples per channel read from the file at its native rate (after any start offset)
 * @param outputSamples mono samples delivered at the output rate
 * @param nonFiniteReplaced NaN or infinite input values (counted per channel value) replaced by 0
 * @param corruptPackets packets the decoder refused and skipped
 * @param truncated the file ended before the length its headers declare, or inside a packet
 * @param warnings human-readable warnings, one per distinct problem
 */
public record DecodeStats(
    long inputSamples,
    long outputSamples,
    long nonFiniteReplaced,
    long corruptPackets,
    boolean truncated,
    List<String> warnings)
    implements Serializable {

  public DecodeStats {
    warnings = List.copyOf(warnings);
  }

  /** True when nothing was replaced, skipped or cut short. */
  public boolean clean() {
    return nonFiniteReplaced == 0 && corruptPackets == 0 && !truncated && warnings.isEmpty();
  }
}
