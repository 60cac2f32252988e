package io.queuekit.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import io.queuekit.conformance.redis.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The admin page in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}, which {@code .ci/run} installs) against a real manager with a channel and a
 * LevelDB queue.
 */
class AdminPageBrowserTest {

  private static final Path CHROMIUM = Path.of(System.getProperty("queuekit.chromium", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getProperty("queuekit.chromedriver", "/usr/bin/chromedriver"));

  @TempDir Path data;
  private AdminFixture f;
  private ChromeDriver browser;

  @BeforeEach
  void start() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    String missing = "needs Debian's chromium and chromium-driver (" + CHROMIUM + ", "
        + CHROMEDRIVER + "): apt-get install chromium chromium-driver; .ci/run installs them";
    // CI installs them and says so: there a missing browser fails, never skips unseen
    if ("1".equals(System.getenv("QUEUEKIT_REQUIRE_BROWSER"))) {
      assertThat(present).as(missing).isTrue();
    }
    Assumptions.assumeTrue(present, missing);
    f = new AdminFixture(data);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900",
        "--user-data-dir=" + data.resolve("chromium-profile"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (f != null) {
      f.close();
    }
  }

  private WebElement row(String queue) {
    return browser.findElement(By.cssSelector("#queues tbody tr[data-queue='" + queue + "']"));
  }

  private void acceptConfirm() {
    ((JavascriptExecutor) browser).executeScript("window.confirm = () => true;");
  }

  @Test
  void operatesTheQueuesAndKeepsAnInjectedScriptInert() throws Exception {
    f.deadLetter(f.index, "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">");
    f.deadLetter(f.index, "replay-me");

    browser.get(f.admin.loginUrl());
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> row("mail").isDisplayed() && row("index").isDisplayed());
    assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain(f.admin.token());
    assertThat(row("index").getText()).contains("level");
    assertThat(row("mail").getText()).contains("channel");

    // set max workers: the figure on the page and in the manager change
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      WebElement maxCell = row("mail").findElement(By.cssSelector("td.max-workers"));
      maxCell.findElement(By.tagName("input")).sendKeys("7");
      maxCell.findElement(By.tagName("button")).click();
      return true;
    });
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        row("mail").findElement(By.cssSelector(".max-value")).getText().equals("7"));
    assertThat(f.mail.maxWorkers()).isEqualTo(7);

    // the dead letters: the script is shown as text and never runs
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      row("index").findElement(By.cssSelector("button.dead-count")).click();
      return true;
    });
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        browser.findElements(By.cssSelector("#dead-table tbody tr")).size() == 2);
    List<WebElement> payloads = browser.findElements(By.cssSelector("#dead-table td.payload"));
    assertThat(payloads).anySatisfy(p -> assertThat(p.getText()).contains("<script>window.__pwned = 1</script>"));
    assertThat(browser.findElements(By.cssSelector("#dead-table script, #dead-table img"))).isEmpty();
    assertThat(((JavascriptExecutor) browser).executeScript("return window.__pwned === undefined")).isEqualTo(true);

    Path shot = Path.of("target", "admin-page.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

    // replay one: it leaves the dead letters and is handled
    f.refused.remove("replay-me");
    // rows are re-rendered as the page refreshes: find and click in one step, again if the row went stale
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      browser.findElements(By.cssSelector("#dead-table tbody tr")).stream()
          .filter(r -> r.getText().contains("replay-me")).findFirst().orElseThrow()
          .findElement(By.xpath(".//button[text()='replay']")).click();
      return true;
    });
    await().atMost(Duration.ofSeconds(20)).until(() -> f.handled.contains("replay-me"));
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        browser.findElements(By.cssSelector("#dead-table tbody tr")).size() == 1);
    assertThat(f.index.deadLetters(0, 10)).hasSize(1);

    // pause from the page, then resume
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      row("index").findElement(By.xpath(".//button[text()='pause']")).click();
      return true;
    });
    await().atMost(Duration.ofSeconds(20)).until(f.index::paused);
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        !row("index").findElements(By.xpath(".//button[text()='resume']")).isEmpty());
    // the click's request is asynchronous: a poll that finds the queue still paused clicks again
    // only while the button is there (once the page shows the queue resumed, it is gone)
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      if (f.index.paused()) {
        row("index").findElements(By.xpath(".//button[text()='resume']"))
            .forEach(WebElement::click);
      }
      return !f.index.paused();
    });

    // remove all, confirmed
    f.index.pause();
    f.index.push("waiting-1");
    f.index.push("waiting-2");
    acceptConfirm();
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      row("index").findElement(By.xpath(".//button[text()='remove all']")).click();
      return f.index.len() == 0;
    });
  }

  /**
   * A dead letter gone since the list was read (another operator purged it) and replayed from the
   * page: the page says which one is no dead letter, and keeps saying it while it refreshes, and
   * its row goes.
   */
  @Test
  void replayingADeadLetterGoneMeanwhileSaysSoAndDropsItsRow() throws Exception {
    f.deadLetter(f.index, "purged-meanwhile");
    f.deadLetter(f.index, "stays");
    long gone = f.index.deadLetters(0, 10).stream().filter(e -> e.json().contains("purged-meanwhile"))
        .findFirst().orElseThrow().id();

    browser.get(f.admin.loginUrl());
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      row("index").findElement(By.cssSelector("button.dead-count")).click();
      return browser.findElements(By.cssSelector("#dead-table tbody tr")).size() == 2;
    });
    assertThat(f.index.purgeDead(List.of(gone))).isEqualTo(1);

    // the dead-letter list is read on demand only: the row is still there to click
    browser.findElement(By.cssSelector("#dead-table tbody tr[data-id='" + gone + "']"))
        .findElement(By.xpath(".//button[text()='replay']")).click();
    String said = "queue \"index\" has no dead letter " + gone + " (replayed or purged already, or never one)";
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
      WebElement outcome = browser.findElement(By.id("outcome"));
      assertThat(outcome.isDisplayed()).isTrue();
      assertThat(outcome.getText()).contains(said).contains("none replayed");
      assertThat(outcome.getAttribute("class")).contains("error");
    });
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        browser.findElements(By.cssSelector("#dead-table tbody tr")).size() == 1
            && browser.findElements(By.cssSelector("#dead-table tbody tr[data-id='" + gone + "']")).isEmpty());

    // the table refreshes every 2 s, rewriting the status line: the message stays all the same
    String status = browser.findElement(By.id("status")).getText();
    await().atMost(Duration.ofSeconds(20)).until(() -> !browser.findElement(By.id("status")).getText().equals(status));
    assertThat(browser.findElement(By.id("outcome")).getText()).contains(said);
    assertThat(f.index.deadLetters(0, 10)).as("nothing else replayed").hasSize(1);
  }

  @Test
  void aQueueWhoseStoreIsDownShowsDownWithItsCountsUnknown() throws Exception {
    try (RedisServer redis = RedisServer.builder().build().start();
        AdminFixture withRedis = new AdminFixture(data.resolve("with-redis"), redis.connStr())) {
      redis.kill();
      browser.get(withRedis.admin.loginUrl());
      // rows are re-rendered as the page refreshes: read them afresh on each try
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
        WebElement down = row("issue_indexer");
        assertThat(down.getAttribute("class")).contains("unhealthy");
        assertThat(down.getText()).contains("redis").contains("unreachable since").contains("unavailable")
            .doesNotContain("null");
        // ready, delayed, in flight, dead, oldest waiting: unknown, not 0
        assertThat(down.findElements(By.cssSelector("td.unknown"))).hasSize(5)
            .allSatisfy(td -> assertThat(td.getText()).isEqualTo("?"));
        assertThat(down.findElements(By.cssSelector("button.dead-count"))).isEmpty();
        assertThat(row("mail").findElements(By.cssSelector("td.unknown"))).isEmpty();
        assertThat(row("mail").getText()).contains("channel");
      });
      assertThat(browser.findElement(By.id("status")).getAttribute("class")).doesNotContain("error");
    }
  }

  @Test
  void withoutATokenThePageAsksForOneAndShowsNoQueue() {
    browser.get(f.admin.url());
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> browser.findElement(By.id("login")).isDisplayed());
    assertThat(browser.findElements(By.cssSelector("#queues tbody tr"))).isEmpty();
  }
}
