package io.queuekit.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LongMap} against {@link HashMap}: the in-flight map's fencing rests on it. */
class LongMapTest {

  @Test
  void agreesWithHashMapUnderRandomPutsAndRemoves() {
    Random random = new Random(42);
    LongMap<String> map = new LongMap<>();
    Map<Long, String> model = new HashMap<>();
    List<Long> live = new ArrayList<>();
    long nextId = 1;
    for (int step = 0; step < 200_000; step++) {
      int op = random.nextInt(10);
      if (op < 5 || live.isEmpty()) {
        // Mostly sequential ids, as delivery ids are; sometimes a far one, to mix the table.
        long id = random.nextInt(20) == 0 ? 1 + (random.nextLong() >>> 1) : nextId++;
        map.put(id, "v" + id);
        if (model.put(id, "v" + id) == null) {
          live.add(id);
        }
      } else if (op < 9) {
        long id = live.remove(random.nextInt(live.size()));
        assertThat(map.remove(id)).isEqualTo(model.remove(id));
      } else {
        // An id never put, or already removed: a stale delivery.
        long id = 1 + random.nextInt((int) nextId + 10);
        assertThat(map.remove(id)).isEqualTo(model.remove(id));
        live.remove(Long.valueOf(id));
      }
      assertThat(map.size()).isEqualTo(model.size());
    }
    for (Map.Entry<Long, String> e : model.entrySet()) {
      assertThat(map.remove(e.getKey())).isEqualTo(e.getValue());
    }
    assertThat(map.size()).isZero();
  }

  @Test
  void putReplacesAndClearEmpties() {
    LongMap<String> map = new LongMap<>();
    for (long id = 1; id <= 1000; id++) {
      map.put(id, "a" + id);
    }
    map.put(7, "b");
    assertThat(map.size()).isEqualTo(1000);
    assertThat(map.remove(7)).isEqualTo("b");
    assertThat(map.remove(7)).isNull();
    map.clear();
    assertThat(map.size()).isZero();
    assertThat(map.remove(8)).isNull();
    map.put(8, "c");
    assertThat(map.remove(8)).isEqualTo("c");
  }

  @Test
  void rejectsKeysThatCannotBeDeliveryIds() {
    LongMap<String> map = new LongMap<>();
    assertThatThrownBy(() -> map.put(0, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive, was 0");
    assertThatThrownBy(() -> map.put(-3, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was -3");
    assertThatThrownBy(() -> map.put(3, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key 3");
    assertThat(map.remove(0)).isNull();
    assertThat(map.remove(-1)).isNull();
  }
}
