package io.holdout.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.holdout.api.HoldoutException;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.tensor.Batch;
import io.holdout.api.tensor.Tensor;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model file opened in its own ONNX Runtime session, for the CLI: {@link #validate} checks
 * a file (and {@link ModelFileInfo#checkFits} that it matches a model spec), {@link #open} keeps the
 * session for {@link #run}. Problems with the file (missing, empty, truncated, corrupt, not a model
 * ONNX Runtime can load) become a {@link HoldoutException} with a one-line message naming the file.
 *
 * <p>Runs on the CPU with ONNX Runtime's default threads; close it to free the session.
 */
public final class OnnxModelFile implements AutoCloseable {
  private final String source;
  private final OrtEnvironment env;
  private final ModelFileInfo info;
  private OrtSession session;

  private OnnxModelFile(String source, OrtSession session) throws OrtException {
    this.source = source;
    this.env = OrtRuntime.environment();
    this.session = session;
    this.info = describe(source, session);
  }

  /**
   * Opens {@code file} in a new session.
   *
   * @throws HoldoutException when the file cannot be read or ONNX Runtime cannot load it
   */
  public static OnnxModelFile open(Path file) {
    Objects.requireNonNull(file, "file is null");
    return open(read(file), file.toString());
  }

  /**
   * Opens a serialized model in a new session.
   *
   * @param source what the bytes came from, for messages (e.g. the file name)
   * @throws HoldoutException when ONNX Runtime cannot load the bytes
   */
  public static OnnxModelFile open(byte[] model, String source) {
    Objects.requireNonNull(model, "model is null");
    Objects.requireNonNull(source, "source is null");
    if (model.length == 0) {
      throw new HoldoutException(source + ": the file is empty, not an ONNX model");
    }
    OrtSession s = null;
    try {
      s = OrtRuntime.session(model, 0, 0);
      return new OnnxModelFile(source, s);
    } catch (OrtException e) {
      if (s != null) {
        try {
          s.close();
        } catch (OrtException ignored) {
          // the load error is the one to report
        }
      }
      throw new HoldoutException(source + ": not a valid ONNX model: " + OrtRuntime.oneLine(e.getMessage()), e);
    }
  }

  /**
   * Opens {@code file}, reads what it declares and closes it again.
   *
   * @throws HoldoutException when the file cannot be read or ONNX Runtime cannot load it
   */
  public static ModelFileInfo validate(Path file) {
    try (OnnxModelFile f = open(file)) {
      return f.info();
    }
  }

  /** {@link #validate(Path)} for serialized bytes. */
  public static ModelFileInfo validate(byte[] model, String source) {
    try (OnnxModelFile f = open(model, source)) {
      return f.info();
    }
  }

  private static byte[] read(Path file) {
    try {
      if (Files.isDirectory(file)) {
        throw new HoldoutException(file + ": is a directory, not an ONNX model file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": no such file");
    } catch (AccessDeniedException e) {
      throw new HoldoutException(file + ": permission denied");
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read it (" + OrtRuntime.oneLine(e.getMessage()) + ")", e);
    }
  }

  private static ModelFileInfo describe(String source, OrtSession s) throws OrtException {
    OnnxModelMetadata meta = s.getMetadata();
    return new ModelFileInfo("ONNX", source, shapes(s.getInputInfo()), shapes(s.getOutputInfo()),
        meta.getProducerName(), meta.getCustomMetadata());
  }

  private static Map<String, long[]> shapes(Map<String, NodeInfo> nodes) {
    Map<String, long[]> out = new LinkedHashMap<>();
    nodes.forEach((name, n) -> out.put(name,
        n.getInfo() instanceof TensorInfo t ? t.getShape() : new long[0]));
    return out;
  }

  /** What the file declares. */
  public ModelFileInfo info() {
    return info;
  }

  /**
   * Runs the model on {@code input} (fed as its input {@value Batch#INPUT}, or as its only input)
   * and returns every float output, in the model's order.
   *
   * @throws HoldoutException when ONNX Runtime rejects the input (e.g. a wrong shape), naming the
   *     file
   */
  public synchronized Map<String, Tensor> run(Tensor input) {
    Objects.requireNonNull(input, "input is null");
    try (OnnxTensor x = Feeds.floats(env, input)) {
      return run(x, "input " + input);
    } catch (OrtException e) {
      throw new HoldoutException(source + ": cannot feed input " + input + ": " + OrtRuntime.oneLine(e.getMessage()), e);
    } finally {
      Reference.reachabilityFence(input);
    }
  }

  /**
   * Runs a model whose input takes decoded pixels (an export with {@link OnnxPipeline.Input#IMAGE})
   * on uint8 {@code pixels} of shape {@code [batch, height, width, channels]}, row-major (RGB
   * interleaved), and returns every float output, in the model's order.
   *
   * @throws HoldoutException when ONNX Runtime rejects the input, naming the file
   */
  public synchronized Map<String, Tensor> runPixels(byte[] pixels, long[] shape) {
    Objects.requireNonNull(pixels, "pixels is null");
    if (shape.length != 4 || Tensor.elementCount(shape) != pixels.length) {
      throw new IllegalArgumentException(pixels.length + " pixel values for shape " + java.util.Arrays.toString(shape));
    }
    ByteBuffer buf = ByteBuffer.allocateDirect(pixels.length).order(ByteOrder.nativeOrder());
    buf.put(pixels).flip();
    String what = "pixels " + java.util.Arrays.toString(shape);
    try (OnnxTensor x = OnnxTensor.createTensor(env, buf, shape, OnnxJavaType.UINT8)) {
      return run(x, what);
    } catch (OrtException e) {
      throw new HoldoutException(source + ": cannot feed " + what + ": " + OrtRuntime.oneLine(e.getMessage()), e);
    }
  }

  private Map<String, Tensor> run(OnnxTensor x, String what) {
    if (session == null) {
      throw new IllegalStateException(source + " is closed");
    }
    String name = info.inputs().containsKey(Batch.INPUT) || info.inputs().size() != 1
        ? Batch.INPUT
        : info.inputs().keySet().iterator().next();
    try (OrtSession.Result r = session.run(Map.of(name, x))) {
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (Map.Entry<String, OnnxValue> e : r) {
        if (e.getValue() instanceof OnnxTensor t && t.getInfo().type == ai.onnxruntime.OnnxJavaType.FLOAT) {
          out.put(e.getKey(), Feeds.toTensor(t, "output '" + e.getKey() + "'"));
        }
      }
      return out;
    } catch (OrtException e) {
      throw new HoldoutException(source + ": ONNX Runtime could not run the model on " + what + ": "
          + OrtRuntime.oneLine(e.getMessage()), e);
    }
  }

  @Override
  public synchronized void close() {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException("could not close the ONNX Runtime session of " + source, e);
      } finally {
        session = null;
      }
    }
  }
}
