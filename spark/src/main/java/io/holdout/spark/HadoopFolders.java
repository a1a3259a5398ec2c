package io.holdout.spark;

import io.holdout.api.HoldoutException;
import io.holdout.api.sweep.RemoteFolders;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * Sweep folders on any file system Hadoop's {@link FileSystem} reaches: {@code hdfs://} (the client
 * comes with Spark), {@code file://}, and {@code s3a://}, {@code abfs://}, {@code gs://} where their
 * connector (hadoop-aws with its AWS SDK, ...) is on the class path. The Hadoop configuration is the
 * default one ({@code core-site.xml} and {@code hdfs-site.xml} of {@code HADOOP_CONF_DIR} when on the
 * class path), as Spark's own.
 */
public final class HadoopFolders implements RemoteFolders {
  private static Configuration conf() {
    Sparks.quietLogs();
    return new Configuration();
  }

  @Override
  public boolean handles(URI uri) {
    if (uri.getScheme() == null) {
      return false;
    }
    try {
      FileSystem.getFileSystemClass(uri.getScheme(), conf());
      return true;
    } catch (IOException e) {
      return false; // "No FileSystem for scheme"
    }
  }

  private static FileSystem fs(URI uri) throws IOException {
    return FileSystem.get(uri, conf());
  }

  @Override
  public boolean download(URI uri, Path local) {
    try {
      FileSystem fs = fs(uri);
      org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(uri);
      if (!fs.exists(from)) {
        return false;
      }
      Files.createDirectories(local);
      for (FileStatus s : fs.listStatus(from)) {
        fs.copyToLocalFile(false, s.getPath(), new org.apache.hadoop.fs.Path(local.toAbsolutePath().toUri()), true);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(uri + ": cannot download to " + local + " (" + Sparks.firstLine(e) + ")");
    }
  }

  @Override
  public void upload(Path local, URI uri) {
    try {
      FileSystem fs = fs(uri);
      org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(uri);
      fs.mkdirs(to);
      if (Files.isDirectory(local)) {
        try (Stream<Path> children = Files.list(local)) {
          for (Path c : children.toList()) {
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(c.toAbsolutePath().toUri()), to);
          }
        }
      } else {
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toAbsolutePath().toUri()), to);
      }
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(uri + ": cannot upload " + local + " (" + Sparks.firstLine(e) + ")");
    }
  }

  @Override
  public void rename(URI from, URI to) {
    try {
      if (!fs(from).rename(new org.apache.hadoop.fs.Path(from), new org.apache.hadoop.fs.Path(to))) {
        throw new IOException("the file system refused");
      }
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(from + ": cannot rename to " + to + " (" + Sparks.firstLine(e) + ")");
    }
  }

  @Override
  public void delete(URI uri) {
    try {
      fs(uri).delete(new org.apache.hadoop.fs.Path(uri), true);
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(uri + ": cannot delete (" + Sparks.firstLine(e) + ")");
    }
  }
}
