package io.queuekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JacksonCodecTest {
  public static final class Job {
    public String zeta;
    public long alpha;
    public Map<String, Integer> labels;
    public Set<String> tags;
    public String absent;
    public Instant at;
  }

  /** An older version of the item: {@code extra} was removed since. */
  public static final class Slim {
    public long alpha;
  }

  /** Written by its getters, but Jackson has no way to construct it. */
  public static final class WriteOnly {
    private final String name;
    private final int size;

    public WriteOnly(String name, int size) {
      this.name = name;
      this.size = size;
    }

    public String getName() {
      return name;
    }

    public int getSize() {
      return size;
    }
  }

  /**
   * A type that can be written but not read back is refused at its first encode (the push),
   * naming the type and Jackson's reason: accepted, every item would have been dead-lettered as
   * "cannot decode" with no handler ever called.
   */
  @Test
  void aTypeThatCannotBeReadBackIsRefusedAtItsFirstEncode() throws Exception {
    JacksonCodec<WriteOnly> codec = JacksonCodec.of(WriteOnly.class);
    assertThatThrownBy(() -> codec.encode(new WriteOnly("a", 1)))
        .isInstanceOf(QueueException.class)
        .hasMessageContaining("cannot decode " + WriteOnly.class.getName())
        .hasMessageContaining("nothing was pushed")
        .hasMessageContaining("Cannot construct instance");
    // a type that reads back is checked once, then encoded as always
    JacksonCodec<Slim> slim = JacksonCodec.of(Slim.class);
    Slim s = new Slim();
    s.alpha = 5;
    assertThat(new String(slim.encode(s), StandardCharsets.UTF_8)).isEqualTo("{\"alpha\":5}");
    assertThat(slim.decode(slim.encode(s)).alpha).isEqualTo(5);
  }

  @Test
  void equalItemsEncodeToEqualBytesWhateverTheMapAndSetOrder() {
    Job a = new Job();
    a.zeta = "z";
    a.alpha = 7;
    a.labels = new LinkedHashMap<>(Map.of("b", 2));
    a.labels.put("a", 1);
    a.tags = new HashSet<>(List.of("y", "x", "w"));
    a.at = Instant.parse("2026-11-23T10:00:00Z");
    Job b = new Job();
    b.at = a.at;
    b.tags = new HashSet<>(List.of("w", "x", "y"));
    b.labels = new HashMap<>(Map.of("a", 1, "b", 2));
    b.alpha = 7;
    b.zeta = "z";
    JacksonCodec<Job> codec = JacksonCodec.of(Job.class);
    String json = new String(codec.encode(a), StandardCharsets.UTF_8);
    assertThat(codec.encode(b)).isEqualTo(codec.encode(a));
    assertThat(json).isEqualTo("{\"alpha\":7,\"at\":\"2026-11-23T10:00:00Z\",\"labels\":{\"a\":1,\"b\":2},"
        + "\"tags\":[\"w\",\"x\",\"y\"],\"zeta\":\"z\"}");
  }

  @Test
  void unknownPropertiesAreIgnoredSoOldItemsStillDecode() throws Exception {
    Slim s = JacksonCodec.of(Slim.class)
        .decode("{\"alpha\":3,\"extra\":\"from a newer writer\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(s.alpha).isEqualTo(3);
  }

  @Test
  void badBytesFailWithTheParsersMessage() {
    assertThatThrownBy(() -> JacksonCodec.of(Slim.class).decode("{not json".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("line: 1");
  }

  record Point(int y, int x) {}

  @Test
  void recordsRoundTrip() throws Exception {
    JacksonCodec<Point> codec = JacksonCodec.of(Point.class);
    assertThat(new String(codec.encode(new Point(2, 1)), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1,\"y\":2}");
    assertThat(codec.decode(codec.encode(new Point(2, 1)))).isEqualTo(new Point(2, 1));
  }
}
