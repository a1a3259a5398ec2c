package io.holdout.api.sweep;

import io.holdout.api.HoldoutException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Folders on a file system named by a URI ({@code hdfs://namenode/sweeps/x}, {@code s3a://bucket/x}),
 * for sweep folders that every executor of a cluster reaches. Found with {@link ServiceLoader} in
 * {@code META-INF/services/io.holdout.api.sweep.RemoteFolders} (the {@code spark} module brings
 * Hadoop's FileSystem); instantiating one must load none of its libraries.
 *
 * <p>Runs are written to a local folder and copied over whole: trials write their run folder locally
 * and replace the remote one with it after every epoch and at their end ({@link #replace}); the sweep
 * downloads what it reads.
 */
public interface RemoteFolders {
  /** Whether this store reaches {@code uri} (by its scheme). */
  boolean handles(URI uri);

  /** Copies the folder at {@code uri} with all it holds into {@code local}; false when there is none. */
  boolean download(URI uri, Path local);

  /**
   * Copies into the folder {@code uri} (created when missing) the file {@code local}, or everything a
   * folder {@code local} holds, replacing what is there under the same names.
   */
  void upload(Path local, URI uri);

  /** Deletes the folder at {@code uri} with all it holds; nothing when there is none. */
  void delete(URI uri);

  /** Renames the folder {@code from} to {@code to}, which must not exist. */
  void rename(URI from, URI to);

  /**
   * Makes the folder at {@code uri} hold exactly what the local folder {@code local} holds: uploaded
   * beside it first ({@code <uri>.uploading}), then swapped in by a rename, so that an upload cut
   * short never leaves half-copied files where a reader (a resume) would take them as complete.
   */
  default void replace(Path local, URI uri) {
    String s = uri.toString();
    URI tmp = URI.create((s.endsWith("/") ? s.substring(0, s.length() - 1) : s) + ".uploading");
    delete(tmp);
    upload(local, tmp);
    delete(uri);
    rename(tmp, uri);
  }

  Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  /** Whether {@code location} is a URI with a scheme ({@code hdfs://...}) rather than a local path. */
  static boolean isUri(String location) {
    return location != null && SCHEME.matcher(location).matches();
  }

  /** The store that reaches {@code uri}. */
  static RemoteFolders find(URI uri) {
    List<String> tried = new ArrayList<>();
    for (RemoteFolders f : ServiceLoader.load(RemoteFolders.class)) {
      if (f.handles(uri)) {
        return f;
      }
      tried.add(f.getClass().getSimpleName());
    }
    throw new HoldoutException(uri + ": no file system for '" + uri.getScheme() + "://' on the class path ("
        + (tried.isEmpty() ? "add holdout-spark, which brings Hadoop's FileSystem"
            : "Hadoop's FileSystem has none: for s3a:// add hadoop-aws and its AWS SDK") + ")");
  }

  /** {@code base} with {@code child} appended as a path segment. */
  static URI child(URI base, String child) {
    String s = base.toString();
    return URI.create(s.endsWith("/") ? s + child : s + "/" + child);
  }
}
