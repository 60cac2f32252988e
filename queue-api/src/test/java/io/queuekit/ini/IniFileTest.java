package io.queuekit.ini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** go-ini's reading rules, as Gitea configures go-ini, and the lossless model. */
class IniFileTest {

  private static IniFile ini(String text) {
    return IniFile.parse(text, "app.ini");
  }

  private static String value(IniFile f, String section, String key) {
    return f.entry(section, key).orElseThrow().value();
  }

  @Test
  void keysBeforeTheFirstHeaderAreInTheDefaultSection() {
    IniFile f = ini("APP_NAME = Gitea\n[queue]\nTYPE = redis\n");
    assertThat(value(f, IniFile.DEFAULT_SECTION, "APP_NAME")).isEqualTo("Gitea");
    assertThat(value(f, "queue", "TYPE")).isEqualTo("redis");
    assertThat(f.entry("queue", "TYPE").orElseThrow().line()).isEqualTo(3);
    assertThat(f.section("queue").orElseThrow().line()).isEqualTo(2);
  }

  @Test
  void defaultHeaderNamesTheDefaultSection() {
    IniFile f = ini("A = 1\n[DEFAULT]\nB = 2\n");
    assertThat(f.section(IniFile.DEFAULT_SECTION).orElseThrow().keys()).containsExactly("A", "B");
  }

  @Test
  void equalsAndColonAreBothDelimitersAndTheFirstOneWins() {
    IniFile f = ini("[s]\nA: 1\nB = x:y\nC: x=y\nD=\n");
    assertThat(value(f, "s", "A")).isEqualTo("1");
    assertThat(value(f, "s", "B")).isEqualTo("x:y");
    assertThat(value(f, "s", "C")).isEqualTo("x=y");
    assertThat(value(f, "s", "D")).isEmpty();
  }

  @Test
  void commentLinesStartWithSemicolonOrHashAfterBlanks() {
    IniFile f = ini("; one\n  # two\n[s]\n\t; three = 3\nA = 1\n");
    assertThat(f.section("s").orElseThrow().keys()).containsExactly("A");
  }

  @Test
  void inlineCommentStartsAtTheFirstHashOrSemicolonEvenWithoutABlank() {
    IniFile f = ini("[s]\nA = redis://:p#w@h ; x\nB = 1;2\nC = x # y\nD = ;only comment\n");
    assertThat(value(f, "s", "A")).isEqualTo("redis://:p");
    assertThat(value(f, "s", "B")).isEqualTo("1");
    assertThat(value(f, "s", "C")).isEqualTo("x");
    assertThat(value(f, "s", "D")).isEmpty();
    assertThat(f.entry("s", "C").orElseThrow().inlineComment()).isEqualTo("# y");
  }

  @Test
  void backtickAndTripleQuotesKeepHashAndSemicolon() {
    IniFile f = ini("[s]\nA = `redis://:p#w;x@h` ; comment\nB = \"\"\"a;b#c\"\"\"\n");
    assertThat(value(f, "s", "A")).isEqualTo("redis://:p#w;x@h");
    assertThat(f.entry("s", "A").orElseThrow().inlineComment()).isEqualTo("; comment");
    assertThat(value(f, "s", "B")).isEqualTo("a;b#c");
  }

  @Test
  void surroundingQuotesAreRemovedOnceAfterTheComment() {
    IniFile f = ini("[s]\nA = \"a b\"\nB = 'c'\nC = \"a;b\"\nD = \"a\"b\"\nE = \"\"\n");
    assertThat(value(f, "s", "A")).isEqualTo("a b");
    assertThat(value(f, "s", "B")).isEqualTo("c");
    assertThat(value(f, "s", "C")).isEqualTo("\"a"); // go-ini cuts the comment first
    assertThat(value(f, "s", "D")).isEqualTo("\"a\"b\"");
    assertThat(value(f, "s", "E")).isEmpty();
  }

  @Test
  void tripleQuotedValueSpansLinesKeepingTheirBreaks() {
    IniFile f = ini("[s]\nA = \"\"\"first\r\nsecond ; not a comment\nthird\"\"\" ; c\nB = 2\n");
    IniEntry a = f.entry("s", "A").orElseThrow();
    assertThat(a.value()).isEqualTo("first\r\nsecond ; not a comment\nthird");
    assertThat(a.line()).isEqualTo(2);
    assertThat(a.lastLine()).isEqualTo(4);
    assertThat(value(f, "s", "B")).isEqualTo("2");
  }

  @Test
  void backtickValueSpansLines() {
    IniFile f = ini("[s]\nA = `one\ntwo`\n");
    assertThat(value(f, "s", "A")).isEqualTo("one\ntwo");
  }

  @Test
  void threeQuotesAloneAtTheEndOfTheFileAreAPlainValue() {
    // go-ini needs more than three characters (the line break counts) to see a """ quote.
    assertThat(value(ini("[s]\nA = \"\"\""), "s", "A")).isEqualTo("\"\"\"");
  }

  @Test
  void trailingBackslashIsKeptBecauseGiteaIgnoresContinuations() {
    IniFile f = ini("[s]\nA = one \\\nB = two\n");
    assertThat(value(f, "s", "A")).isEqualTo("one \\");
    assertThat(value(f, "s", "B")).isEqualTo("two");
  }

  @Test
  void keysAndSectionsAreCaseSensitiveAndSectionNamesKeepBlanks() {
    IniFile f = ini("[Queue]\ntype = redis\n[ queue ]\nTYPE = level\n");
    assertThat(f.section("queue")).isEmpty();
    assertThat(f.section("Queue").orElseThrow().keys()).containsExactly("type");
    assertThat(f.entry("Queue", "TYPE")).isEmpty();
    assertThat(value(f, " queue ", "TYPE")).isEqualTo("level");
  }

  @Test
  void sectionNameRunsToTheLastBracket() {
    IniFile f = ini("[queue] ; note [x]\nA = 1\n");
    assertThat(f.section("queue] ; note [x")).isPresent();
  }

  @Test
  void repeatedKeyLastValueWinsAndRepeatedSectionsMerge() {
    IniFile f = ini("[s]\nA = 1\n[t]\nX = 0\n[s]\nA = 2\nB = 3\n");
    IniSection s = f.section("s").orElseThrow();
    assertThat(s.entries("A")).extracting(IniEntry::line).containsExactly(2, 6);
    assertThat(s.entry("A").orElseThrow().value()).isEqualTo("2");
    assertThat(s.headerLines()).containsExactly(1, 5);
    assertThat(f.sections()).extracting(IniSection::name)
        .containsExactly(IniFile.DEFAULT_SECTION, "s", "t");
  }

  @Test
  void quotedKeysAndAutoNumberedKeys() {
    IniFile f = ini("[s]\n\"a=b\" = 1\n`c:d` = 2\n- = x\n- = y\n");
    assertThat(value(f, "s", "a=b")).isEqualTo("1");
    assertThat(value(f, "s", "c:d")).isEqualTo("2");
    assertThat(value(f, "s", "#1")).isEqualTo("x");
    assertThat(value(f, "s", "#2")).isEqualTo("y");
  }

  @Test
  void quotedKeysMayHoldDelimitersAndQuotes() {
    IniFile f = ini("[k]\nsum = 1+2=3\n\"\"\"x+y=z\"\"\" = yes\n`\"q\"` = 4\n"
        + "\"\"\"`t`\"\"\" = 5\nNOTES = \"\"\"one\ntwo\n\"\"\"  # after\n");
    assertThat(value(f, "k", "sum")).isEqualTo("1+2=3");
    assertThat(value(f, "k", "x+y=z")).isEqualTo("yes");
    assertThat(value(f, "k", "\"q\"")).isEqualTo("4");
    assertThat(value(f, "k", "`t`")).isEqualTo("5");
    assertThat(value(f, "k", "NOTES")).isEqualTo("one\ntwo\n");
    assertThat(f.entry("k", "NOTES").orElseThrow().inlineComment()).isEqualTo("# after");
  }

  @Test
  void continuationLinesAreNotJoinedSoTheirNextLineMustBeAKey() {
    // Gitea sets IgnoreContinuation: the indented second line is read as a key line of its own.
    assertThatThrownBy(() -> ini("[s]\nA = first \\\n\tsecond part\n"))
        .hasMessage("app.ini:3: key-value delimiter not found: `\tsecond part`");
  }

  @Test
  void unicodeBlanksAreTrimmedLikeGo() {
    IniFile f = ini("[s]\n\u00a0A\u3000=\u2003value\u00a0\n");
    assertThat(value(f, "s", "A")).isEqualTo("value");
  }

  @Test
  void lineWithoutDelimiterIsAnErrorNamingFileLineAndText() {
    assertThatThrownBy(() -> ini("[s]\nA = 1\nQUEUE TYPE redis\n"))
        .isInstanceOf(IniParseException.class)
        .hasMessage("app.ini:3: key-value delimiter not found: `QUEUE TYPE redis`")
        .satisfies(e -> assertThat(((IniParseException) e).line()).isEqualTo(3));
  }

  @Test
  void aLineThatCannotBeParsedIsNotEchoedWhenItMentionsAPassword() {
    for (String line : new String[] {"password topSecret8 here", "  Redis PASSWORD topSecret8",
        "passwd topSecret8"}) {
      assertThatThrownBy(() -> ini("[queue]\nTYPE = redis\n" + line + "\n"))
          .isInstanceOf(IniParseException.class)
          .hasMessage("app.ini:3: key-value delimiter not found (the line is not shown: it"
              + " mentions a password; a line is [section], KEY = value, KEY: value, or a"
              + " comment starting with ; or #)")
          .satisfies(e -> {
            IniParseException p = (IniParseException) e;
            assertThat(p.lineText()).isEmpty();
            assertThat(p.detail()).doesNotContain("topSecret8");
          });
    }
  }

  @Test
  void unclosedAndEmptySectionsAreErrors() {
    assertThatThrownBy(() -> ini("[queue\n")).hasMessage("app.ini:1: unclosed section: `[queue`");
    assertThatThrownBy(() -> ini("A = 1\n[]\n")).hasMessage("app.ini:2: empty section name: `[]`");
  }

  @Test
  void emptyKeyIsAnError() {
    assertThatThrownBy(() -> ini("[s]\n = 1\n")).hasMessage("app.ini:2: empty key name: ` = 1`");
  }

  @Test
  void unclosedQuoteIsAnErrorNamingTheLineItStartsOn() {
    assertThatThrownBy(() -> ini("[s]\nA = `abc\nB = 1\n"))
        .hasMessage("app.ini:2: missing closing ` quote: the value runs to the end of the file:"
            + " `A = `abc`");
    assertThatThrownBy(() -> ini("[s]\n\"abc = 1\n"))
        .hasMessageStartingWith("app.ini:2: missing closing key quote");
  }

  @Test
  void errorsMaskPasswords() {
    assertThatThrownBy(() -> ini("[queue]\nCONN_STR = `redis://u:secret@h:6379\n"))
        .hasMessage("app.ini:2: missing closing ` quote: the value runs to the end of the file:"
            + " `CONN_STR = `redis://u:****@h:6379`");
  }

  @Test
  void utf16IsRefusedWithAClearError() {
    byte[] utf16 = "\uFEFF[s]\n".getBytes(StandardCharsets.UTF_16BE);
    assertThatThrownBy(() -> IniFile.parse(utf16, "app.ini"))
        .hasMessageContaining("UTF-16");
  }

  // ---------------------------------------------------------------------------------------------
  // Lossless

  @Test
  void writesBackEveryByteUnchanged() {
    String[] samples = {
        "",
        "A = no final newline",
        "\uFEFF; bom\r\n[s]\r\nA = 1\r\n",
        "; mixed\r\n[s]\nA=1\r\n  B :  2   ; c\n\n\n",
        "[s]\nA = \"\"\"x\r\ny\"\"\"\nB = `p`",
        "X = trailing blanks   \n\t\n",
    };
    for (String s : samples) {
      assertThat(ini(s).toBytes()).isEqualTo(s.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedNamingFileLineColumnAndByte() {
    // read with a replacement character, DATADIR would name another directory
    byte[] latin1 = "[queue]\nDATADIR = queues/caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> IniFile.parse(latin1, "app.ini"))
        .isInstanceOf(IniEncodingException.class)
        .hasMessage("app.ini:2: byte 0xE9 at column 21 (byte offset 28 of the file) is not UTF-8:"
            + " the file must be UTF-8 text, as Gitea's app.ini is (save it as UTF-8; Latin-1 and"
            + " Windows-1252 are not); nothing was read")
        .satisfies(e -> {
          IniEncodingException x = (IniEncodingException) e;
          assertThat(List.of(x.file(), x.line(), x.column(), x.offset()))
              .containsExactly("app.ini", 2, 21, 28L);
        });
    // in a section name, after UTF-8 text on the same line and a byte order mark
    byte[] head = "\uFEFF; caf\u00e9\n[queue.m".getBytes(StandardCharsets.UTF_8);
    byte[] header = java.util.Arrays.copyOf(head, head.length + 4);
    System.arraycopy(new byte[] {(byte) 0xE9, 'l', ']', '\n'}, 0, header, head.length, 4);
    assertThatThrownBy(() -> IniFile.parse(header, "app.ini"))
        .hasMessageStartingWith("app.ini:2: byte 0xE9 at column 9 (byte offset 19 of the file)");
    // a cut-off sequence at the very end
    assertThatThrownBy(() -> IniFile.parse(new byte[] {'A', '=', (byte) 0xC3}, "app.ini"))
        .hasMessageStartingWith("app.ini:1: byte 0xC3 at column 3 (byte offset 2 of the file)");
    assertThat(IniFile.parse("\uFEFFA = caf\u00e9 \u2603\n".getBytes(StandardCharsets.UTF_8),
        "app.ini").entry(IniFile.DEFAULT_SECTION, "A").orElseThrow().value())
        .isEqualTo("caf\u00e9 \u2603");
  }

  @Test
  void aNulByteIsRefusedNamingFileLineAndColumn() {
    byte[] bytes = "[queue]\nLENGTH = 5\0\n".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> IniFile.parse(bytes, "app.ini"))
        .isInstanceOf(IniEncodingException.class)
        .hasMessage("app.ini:2: a NUL byte (0x00) at column 11 (byte offset 18 of the file) is"
            + " not allowed: this is not a text file (a binary file, or one saved as UTF-16?);"
            + " nothing was read");
    assertThatThrownBy(() -> ini("[queue]\nLENGTH = 5\0\n"))
        .isInstanceOf(IniEncodingException.class).hasMessageStartingWith("app.ini:2: a NUL byte");
  }

  @Test
  void removeDropsOnlyTheEntryLines() {
    String text = "; head\r\n[indexer]\r\n  ; about it\r\nOLD = `a\r\nb`\r\nKEEP=1 ; x\r\n";
    IniFile f = ini(text);
    IniFile edited = f.remove(f.entry("indexer", "OLD").orElseThrow());
    assertThat(edited.text()).isEqualTo("; head\r\n[indexer]\r\n  ; about it\r\nKEEP=1 ; x\r\n");
  }

  @Test
  void removingTheLastLineKeepsTheMissingFinalNewline() {
    IniFile f = ini("[s]\nA = 1\nB = 2");
    assertThat(f.remove(f.entry("s", "B").orElseThrow()).text()).isEqualTo("[s]\nA = 1");
    assertThat(f.remove(f.entry("s", "A").orElseThrow()).text()).isEqualTo("[s]\nB = 2");
  }

  @Test
  void setValueKeepsKeySpacingAndComment() {
    IniFile f = ini("[queue]\r\n  CONN_STR  :  addrs=127.0.0.1:6379 db=0   ; old form\r\nX = 1\r\n");
    IniFile edited = f.setValue(f.entry("queue", "CONN_STR").orElseThrow(),
        "redis://127.0.0.1:6379/0");
    assertThat(edited.text()).isEqualTo(
        "[queue]\r\n  CONN_STR  :  redis://127.0.0.1:6379/0   ; old form\r\nX = 1\r\n");
  }

  @Test
  void setValueQuotesWhenGoIniNeedsIt() {
    IniFile f = ini("[s]\nA = plain\nB = \"quoted\"\nC = `multi\nline`\nD =\n");
    IniFile e = f.setValue(f.entry("s", "A").orElseThrow(), "redis://:p#w@h");
    assertThat(e.line(2)).isEqualTo("A = `redis://:p#w@h`");
    e = e.setValue(e.entry("s", "B").orElseThrow(), "x");
    assertThat(e.line(3)).isEqualTo("B = x");
    e = e.setValue(e.entry("s", "C").orElseThrow(), "one`line");
    assertThat(e.line(4)).isEqualTo("C = \"\"\"one`line\"\"\"");
    e = e.setValue(e.entry("s", "D").orElseThrow(), " padded ");
    assertThat(e.line(5)).isEqualTo("D =` padded `");
    assertThat(e.entry("s", "D").orElseThrow().value()).isEqualTo(" padded ");
    assertThat(e.lineCount()).isEqualTo(5);
  }

  @Test
  void quotingRoundTripsAwkwardValues() {
    List<String> values = List.of("a", "a b", "#x", ";", "'q'", "\"q\"", "\"\"\"x", "`tick`",
        "two\nlines", "crlf\r\nlines", "x\"\"", " lead", "trail\t", "\\", "ends with \"",
        "\"\"\"\"");
    IniFile f = ini("[s]\n");
    for (String v : values) {
      IniFile e = f.addKey("s", "K", v);
      assertThat(e.entry("s", "K").orElseThrow().value()).as(v).isEqualTo(v);
    }
    assertThatThrownBy(() -> f.addKey("s", "K", "`\"\"\"")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addKeyGoesAfterTheSectionsLastEntryInItsStyle() {
    String text = "[queue]\n  TYPE=redis\n\n; mail queue\n[queue.mail]\n\tLENGTH: 10\n\n; next\n[x]\n";
    IniFile f = ini(text);
    IniFile e = f.addKey("queue.mail", "BATCH_LENGTH", "5", "; moved");
    assertThat(e.text()).isEqualTo(
        "[queue]\n  TYPE=redis\n\n; mail queue\n[queue.mail]\n\tLENGTH: 10\n\tBATCH_LENGTH: 5 ; moved"
            + "\n\n; next\n[x]\n");
    IniFile g = f.addKey("queue", "LENGTH", "7");
    assertThat(g.line(3)).isEqualTo("  LENGTH=7");
  }

  @Test
  void addKeyToAMissingSectionAppendsItWithTheFilesLineEnding() {
    IniFile f = ini("[a]\r\nX = 1\r\n[b]\nY = 2\r\n");
    IniFile e = f.addKey("queue.issue_indexer", "TYPE", "redis");
    assertThat(e.text()).isEqualTo(
        "[a]\r\nX = 1\r\n[b]\nY = 2\r\n\r\n[queue.issue_indexer]\r\nTYPE = redis\r\n");
  }

  @Test
  void addKeyToAFileWithoutFinalNewlineKeepsItWithout() {
    IniFile f = ini("[a]\nX = 1");
    assertThat(f.addKey("a", "Y", "2").text()).isEqualTo("[a]\nX = 1\nY = 2");
    assertThat(f.addKey("b", "Y", "2").text()).isEqualTo("[a]\nX = 1\n\n[b]\nY = 2");
  }

  /**
   * Without a final newline, an edit at the end changes a last line's terminator: the changes say
   * so, as diff counts it (the migrator's diff is made from them), and a removed last line leaves
   * no blank line before the lines appended after it.
   */
  @Test
  void editsAtTheEndOfAFileWithoutFinalNewlineReportTheLastLinesAsChanged() {
    IniFile f = ini("[a]\nX = 1\nY = 2");
    IniEntry y = f.entry("a", "Y").orElseThrow();
    IniFile.Edited moved = f.edit().remove(y).addKey("b", "Y", "2", "").applyWithChanges();
    assertThat(moved.file().text()).isEqualTo("[a]\nX = 1\n\n[b]\nY = 2");
    assertThat(moved.changes())
        .containsExactly(new IniFile.Change(3, 1, 3, 0), new IniFile.Change(4, 0, 3, 3));
    // the old last line gains a terminator
    IniFile.Edited appended = f.edit().addKey("b", "Z", "3", "").applyWithChanges();
    assertThat(appended.file().text()).isEqualTo("[a]\nX = 1\nY = 2\n\n[b]\nZ = 3");
    assertThat(appended.changes()).containsExactly(new IniFile.Change(3, 1, 3, 4));
    // the line before a removed last line loses its terminator
    IniFile.Edited removed = f.edit().remove(y).applyWithChanges();
    assertThat(removed.file().text()).isEqualTo("[a]\nX = 1");
    assertThat(removed.changes()).containsExactly(new IniFile.Change(2, 2, 2, 1));
    // a replaced last line is a change already
    IniFile.Edited replaced = f.edit().setValue(y, "3").addKey("b", "Z", "3", "")
        .applyWithChanges();
    assertThat(replaced.file().text()).isEqualTo("[a]\nX = 1\nY = 3\n\n[b]\nZ = 3");
    assertThat(replaced.changes())
        .containsExactly(new IniFile.Change(3, 1, 3, 1), new IniFile.Change(4, 0, 4, 3));
    IniFile crlf = ini("[a]\r\nX = 1\r\nY = 2");
    assertThat(crlf.edit().remove(crlf.entry("a", "Y").orElseThrow()).addKey("b", "Y", "2", "")
        .apply().text()).isEqualTo("[a]\r\nX = 1\r\n\r\n[b]\r\nY = 2");
    assertThat(crlf.terminator(1)).isEqualTo("\r\n");
    assertThat(crlf.terminator(3)).isEmpty();
  }

  @Test
  void addKeyToAnEmptySectionGoesRightAfterItsHeader() {
    IniFile f = ini("[a]\n; about b\n[b]\n; trailing\n");
    assertThat(f.addKey("b", "K", "v").text()).isEqualTo("[a]\n; about b\n[b]\nK = v\n; trailing\n");
  }

  @Test
  void editsRejectEntriesOfAnotherVersion() {
    IniFile f = ini("[s]\nA = 1\n");
    IniFile g = f.addKey("s", "B", "2");
    IniEntry stale = f.entry("s", "A").orElseThrow();
    assertThatThrownBy(() -> g.remove(stale)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("app.ini:2 [s] A");
  }

  @Test
  void addKeyRejectsNamesGoIniWouldMisread() {
    IniFile f = ini("");
    assertThatThrownBy(() -> f.addKey("s", "A=B", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.addKey("s", " A", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.addKey("s", "#A", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.addKey("s", "A", "1", "not a comment"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.addSection("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addSectionIsIdempotent() {
    IniFile f = ini("[a]\n");
    assertThat(f.addSection("a")).isSameAs(f);
    assertThat(f.addSection("b").text()).isEqualTo("[a]\n\n[b]\n");
    assertThat(ini("").addSection("b").text()).isEqualTo("[b]\n");
  }
}
