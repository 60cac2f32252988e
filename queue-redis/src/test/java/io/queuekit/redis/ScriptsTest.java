package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each script carries the prelude's head and only the prelude functions it calls. */
class ScriptsTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @Test
  void aScriptGetsThePreludeFunctionsItCallsDirectlyOrThroughAnother() {
    String ack = Scripts.Script.ACK.body;
    assertThat(ack).contains("local K_READY").contains("local CHUNK")
        .contains("local function room(").contains("local function waiting(")
        .doesNotContain("local function admitheads(").doesNotContain("local function promote(")
        // GLOBAL_MAX_WORKERS: the ack that frees a lease wakes a capped waiter
        .contains("local function leasing(", "local function unlease(", "local function wake(");
    // unclaim calls admitheads and wake; admitheads calls admit, which calls firstsadd,
    // encode, nextid and counts
    assertThat(Scripts.Script.UNCLAIM.body).contains("local function admitheads(",
        "local function admit(", "local function firstsadd(", "local function encode(",
        "local function nextid(", "local function counts(", "local function wake(",
        "local function bulk(", "local function decode(")
        .contains("local function guard(", "local function buryraw(", "local function bury(")
        .doesNotContain("local function inflight(");
    assertThat(Scripts.Script.RECOVER.body).contains("local function bury(",
        "local function inflight(", "local function decodedead(");
    // in the prelude's order: a Lua local function sees only those defined above it
    String claim = Scripts.Script.CLAIM.body;
    assertThat(claim.indexOf("local function bulk(")).isLessThan(
        claim.indexOf("local function wake(")).isLessThan(claim.indexOf("local function promote("));
  }

  @Test
  void everyScriptCompilesOnARealServerAndDiffersFromTheOthers() {
    try (Resp r = redis.server().client()) {
      for (Scripts.Script s : Scripts.Script.values()) {
        assertThat(r.call("SCRIPT", "LOAD", s.body)).as(s.name()).isEqualTo(s.sha);
      }
    }
  }

  /** The client names key types from the prelude's TYPES, the table the scripts check. */
  @Test
  void theKeyTypesAreThePreludesTypesTable() {
    assertThat(Scripts.KEY_TYPES).hasSize(RedisKeys.NAMES.length + RedisKeys.MIGRATION_NAMES.length);
    assertThat(RedisKeys.type(15)).isEqualTo("set");
    assertThat(RedisKeys.role(15)).isEqualTo("busy");
    assertThat(RedisKeys.type(17)).isEqualTo("hash");
    assertThat(RedisKeys.role(17)).isEqualTo("packs");
    assertThat(RedisKeys.type(18)).isEqualTo("list");
    assertThat(RedisKeys.role(20)).isEqualTo("migrating unique");
    assertThat(RedisKeys.type(21)).isNull();
    assertThat(Scripts.keyTypes("local A = 1\nlocal TYPES = { 'list',\n  'zset' }\n"))
        .containsExactly("list", "zset");
    assertThatThrownBy(() -> Scripts.keyTypes("local TYPES = { 'list', LIST }\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("entry 2");
    assertThatThrownBy(() -> Scripts.keyTypes("local A = 1\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("TYPES");
  }

  @Test
  void aPreludeWithCodeBetweenItsFunctionsIsRefused() {
    assertThatThrownBy(() -> new Scripts.Prelude(
        "local A = 1\n\nlocal function f()\n  return A\nend\n\nA = 2\n\nlocal function g()\n"
            + "  return f()\nend\n"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("\"g\"");
    assertThat(new Scripts.Prelude("local A = 1\n\nlocal function f()\n  return A\nend\n"
        + "\n-- g\nlocal function g()\n  return f()\nend\n").forScript("return g()"))
        .contains("local function f(").contains("-- g\nlocal function g(");
  }
}
