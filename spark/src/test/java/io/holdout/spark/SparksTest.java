package io.holdout.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdout.api.HoldoutException;
import java.io.File;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** How holdout configures Spark: embedded on loopback, on a cluster with its jars shipped. */
class SparksTest {
  private static final String CLASS_PATH = String.join(File.pathSeparator, "/opt/app/lib/holdout-cli-0.1.0.jar",
      "/opt/app/lib/guice-7.0.0.jar", "/opt/app/lib/spark-core_2.13-4.0.1.jar", "/opt/app/lib/scala-library-2.13.16.jar",
      "/opt/app/lib/hadoop-client-api-3.4.1.jar", "/opt/app/classes");

  @Test
  void aClusterGetsTheApplicationsJarsButNotSparksOwn() {
    SparkConf conf = Sparks.conf("spark://head:7077", "t", CLASS_PATH);
    assertThat(conf.get("spark.jars")).isEqualTo("/opt/app/lib/holdout-cli-0.1.0.jar,/opt/app/lib/guice-7.0.0.jar");
    assertThat(conf.contains("spark.driver.host")).isFalse();
  }

  @Test
  void embeddedSparkShipsNothingAndListensOnLoopbackOnly() {
    SparkConf conf = Sparks.conf("local[2]", "t", CLASS_PATH);
    assertThat(conf.contains("spark.jars")).isFalse();
    assertThat(conf.get("spark.driver.bindAddress")).isEqualTo("127.0.0.1");
  }

  @Test
  void aUsersOwnJarsSettingIsKept() {
    System.setProperty("spark.jars", "/mine.jar");
    try {
      assertThat(Sparks.conf("yarn", "t", CLASS_PATH).get("spark.jars")).isEqualTo("/mine.jar");
    } finally {
      System.clearProperty("spark.jars");
    }
  }

  @Test
  void aBadMasterIsOneLine() {
    assertThatThrownBy(() -> Sparks.start("nosuch://x", "t")).isInstanceOf(HoldoutException.class)
        .hasMessageContaining("--master 'nosuch://x': expected local[N]");
  }
}
