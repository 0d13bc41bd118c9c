package org.humpback.pipelines.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.humpback.registry.dao.AudioMetadata;
import org.junit.jupiter.api.Test;

class MetadataSummariesTest {

  @Test
  void everyFieldAndEveryKeyInsideObjectsIsFlattened() {
    Map<String, String> f = MetadataSummaries.flatten(new AudioMetadata("m", "a",
        "{\"label\": \"mn\", \"depth_m\": 12.5, \"tagged\": true, \"note\": null, \"calls\": [\"moan\", \"whup\"]}",
        "\"surface active\"",
        "{\"adults\": 2, \"calf\": {\"present\": true}}",
        "3"));
    assertEquals("mn", f.get("tag_data.label"));
    assertEquals("12.5", f.get("tag_data.depth_m"));
    assertEquals("true", f.get("tag_data.tagged"));
    assertEquals("[\"moan\",\"whup\"]", f.get("tag_data.calls"));
    assertTrue(!f.containsKey("tag_data.note"), "JSON nulls are not values");
    assertTrue(f.get("tag_data").startsWith("{\"label\":\"mn\""), f.get("tag_data"));
    assertEquals("surface active", f.get("visual_observations"));
    assertEquals("2", f.get("group_composition.adults"));
    assertEquals("{\"present\":true}", f.get("group_composition.calf"));
    assertEquals("3", f.get("prey_density_proxy"));
    assertTrue(MetadataSummaries.flatten(null).isEmpty());
    assertTrue(MetadataSummaries.flatten(new AudioMetadata("m", "a", null, "null", null, null)).isEmpty());
  }

  @Test
  void countsPerClusterIncludingNoise() {
    Map<String, String> mn = Map.of("tag_data.label", "mn");
    Map<String, String> other = Map.of("tag_data.label", "not_mn", "prey_density_proxy", "high");
    @SuppressWarnings("unchecked")
    Map<String, String>[] md = new Map[] {mn, mn, other, null, other, mn};
    int[] labels = {0, 0, 0, 1, 1, -1};
    var s = MetadataSummaries.summarize(labels, md);
    assertEquals(Map.of("mn", 2L, "not_mn", 1L), s.get(0).get("tag_data.label"));
    assertEquals(Map.of("high", 1L), s.get(0).get("prey_density_proxy"));
    assertEquals(Map.of("not_mn", 1L), s.get(1).get("tag_data.label"));
    assertEquals(Map.of("mn", 1L), s.get(-1).get("tag_data.label"));
    assertArrayEquals(new String[] {"mn", "mn", "not_mn", null, "not_mn", "mn"},
        MetadataSummaries.labels("tag_data.label", md));
  }
}
