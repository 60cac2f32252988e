package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.queuekit.conformance.redis.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pack format written on the client, read back here and by the server's own cmsgpack. */
class PacksTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static RedisClient client;
  private static StatefulRedisConnection<byte[], byte[]> connection;

  @BeforeAll
  static void connect() {
    client = RedisClient.create("redis://127.0.0.1:" + redis.server().port());
    connection = client.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void disconnect() {
    connection.close();
    client.shutdown();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code n} entries of {@code pack}, each copied out from where {@link Packs#bounds} says. */
  private static byte[][] unpack(byte[] pack, int n) {
    int[] at = Packs.bounds(pack, n);
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      out[i] = Arrays.copyOfRange(pack, at[2 * i], at[2 * i + 1]);
    }
    return out;
  }

  private static byte[] filled(int len, int seed) {
    byte[] b = new byte[len];
    Arrays.fill(b, (byte) ('a' + seed % 26));
    return b;
  }

  /** Every string and array header size: each form's last length and the next one's first. */
  @ParameterizedTest
  @ValueSource(ints = {0, 1, 31, 32, 255, 256, 65535, 65536})
  void anEntryOfAnyLengthRoundTripsAndCmsgpackReadsIt(int len) {
    for (int n : new int[] {1, 15, 16}) {
      byte[][] tails = new byte[n][];
      for (int i = 0; i < n; i++) {
        tails[i] = filled(len, i);
      }
      byte[] head = b("0:0:1::");
      byte[] pack = Packs.pack(head, tails);
      byte[][] back = unpack(pack, n);
      for (int i = 0; i < n; i++) {
        byte[] want = new byte[head.length + len];
        System.arraycopy(head, 0, want, 0, head.length);
        System.arraycopy(tails[i], 0, want, head.length, len);
        assertThat(back[i]).isEqualTo(want);
      }
      RedisCommands<byte[], byte[]> r = connection.sync();
      r.set(b("pack"), pack);
      List<Long> lens = r.eval("local l = cmsgpack.unpack(redis.call('GET', KEYS[1])) "
          + "local out = {#l} for i = 1, #l do out[#out + 1] = #l[i] end return out",
          ScriptOutputType.MULTI, b("pack"));
      assertThat(lens.get(0)).isEqualTo(n);
      assertThat(lens.subList(1, lens.size())).containsOnly((long) (head.length + len));
      // and what cmsgpack packs, this reads
      byte[] repacked = r.eval("return cmsgpack.pack(cmsgpack.unpack(redis.call('GET', "
          + "KEYS[1])))", ScriptOutputType.VALUE, b("pack"));
      assertThat(unpack(repacked, n)).isDeepEqualTo(back);
    }
  }

  @Test
  void aPackThatIsNotExactlyItsEntriesIsRefusedSayingWhy() {
    byte[] pack = Packs.pack(b(""), new byte[][] {b("ab"), b("cd")});
    assertThatThrownBy(() -> Packs.bounds(pack, 3)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a pack of 2 entries where its claim says 3");
    assertThatThrownBy(() -> Packs.bounds(Arrays.copyOf(pack, pack.length - 1), 2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cut short");
    assertThatThrownBy(() -> Packs.bounds(Arrays.copyOf(pack, pack.length + 1), 2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("1 bytes after its 2");
    assertThatThrownBy(() -> Packs.bounds(b("junk"), 2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("byte 0x6a at 0");
    byte[] notStrings = {(byte) 0x92, 0x01, 0x02};
    assertThatThrownBy(() -> Packs.bounds(notStrings, 2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("where a string starts");
  }
}
