package io.holdout.spark;

import io.holdout.api.HoldoutException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Starts a Spark context the way holdout uses one: quiet logs, no UI, embedded masters bound to loopback. */
public final class Sparks {
  private Sparks() {}

  /** The last context {@link #start} started in this JVM (Spark runs one at a time per JVM). */
  private static volatile JavaSparkContext running;

  /** The context {@link #start} started in this JVM, if it is still running; else null. */
  static JavaSparkContext running() {
    JavaSparkContext sc = running;
    return sc == null || sc.sc().isStopped() ? null : sc;
  }

  /**
   * Spark and Hadoop log start-up notes (host name, native libraries) as warnings; keep errors only
   * unless the user set a level (slf4j-simple reads these when each logger is made).
   */
  static void quietLogs() {
    for (String logger : new String[] {"org.apache.spark", "org.apache.hadoop", "org.sparkproject"}) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, "error");
      }
    }
  }

  /** A context on {@code master} (local[N], local[*], spark://host:port, yarn, k8s://...). */
  public static JavaSparkContext start(String master, String appName) {
    checkMaster(master, "--master");
    quietLogs();
    SparkConf conf = conf(master, appName, System.getProperty("java.class.path", ""));
    try {
      JavaSparkContext sc = new JavaSparkContext(conf);
      running = sc;
      return sc;
    } catch (RuntimeException e) {
      throw new HoldoutException("spark " + master + ": cannot start (" + firstLine(e) + ")");
    }
  }

  private static final java.util.regex.Pattern TASK_FAILURE =
      java.util.regex.Pattern.compile("most recent failure: .*?\\): ([\\w.$]+): (.*)");

  /**
   * Why a Spark job failed, in one line: the message of the task's own exception (a {@link
   * HoldoutException}'s message as it is, others with their class's simple name) rather than Spark's
   * "Job aborted due to stage failure" wrapper.
   */
  static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HoldoutException) {
        return firstLine(t);
      }
    }
    String line = firstLine(e);
    java.util.regex.Matcher m = TASK_FAILURE.matcher(line);
    if (m.find()) {
      String cls = m.group(1);
      return cls.equals(HoldoutException.class.getName()) ? m.group(2)
          : cls.substring(cls.lastIndexOf('.') + 1) + ": " + m.group(2);
    }
    return line;
  }

  /** Refuses a master URL Spark would not take, in one line naming where it came from ({@code key}). */
  static void checkMaster(String master, String key) {
    if (!master.matches("local(\\[(\\*|\\d+)(,\\d+)?])?|spark://.+|yarn|k8s://.+|mesos://.+")) {
      throw new HoldoutException(key + " '" + master + "': expected local[N], local[*], spark://host:port, yarn "
          + "or k8s://https://host:port");
    }
  }

  /**
   * The context's settings. On a cluster, unless {@code spark.jars} is set (as a {@code -Dspark.jars}
   * system property, which {@link SparkConf} reads), the jars of this JVM's class path go to the
   * executors with the job, so a trial or a shard finds holdout, its engines and plugins there;
   * Spark's, Scala's and Hadoop's own jars stay behind (the cluster has its own).
   */
  static SparkConf conf(String master, String appName, String classPath) {
    SparkConf conf = new SparkConf().setAppName(appName).setMaster(master)
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        // one task per task slot, whatever spark.task.cpus a cluster defaults to
        .set("spark.scheduler.mode", "FIFO");
    if (master.startsWith("local")) {
      // embedded: nothing listens beyond this machine
      conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
    } else if (!conf.contains("spark.jars")) {
      java.util.List<String> jars = new java.util.ArrayList<>();
      for (String entry : classPath.split(java.io.File.pathSeparator)) {
        String name = java.nio.file.Path.of(entry).getFileName() == null ? ""
            : java.nio.file.Path.of(entry).getFileName().toString();
        if (name.endsWith(".jar") && !name.matches("(spark|scala|hadoop)-.*")) {
          jars.add(java.nio.file.Path.of(entry).toAbsolutePath().toString());
        }
      }
      if (!jars.isEmpty()) {
        conf.set("spark.jars", String.join(",", jars));
      }
    }
    return conf;
  }

  static String firstLine(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().split("\\R", 2)[0];
  }
}
