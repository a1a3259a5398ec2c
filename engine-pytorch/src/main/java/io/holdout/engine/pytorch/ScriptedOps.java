package io.holdout.engine.pytorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.holdout.api.HoldoutException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch activations that DJL 0.36's JNI does not bind, each with its own fused backward kernel:
 * {@code hardtanh(x, 0, 6)} (relu6), {@code hardsigmoid}, {@code hardswish} and {@code silu}.
 *
 * <p>Each is reached through a one-method TorchScript module that this class writes itself: a zip
 * holding the module's TorchScript source, a two-line pickle of its one attribute ({@code
 * training}), an empty constants pickle and the format version; no Python and no file shipped.
 * DJL loads the module and runs its {@code forward} with autograd on, so the result carries
 * libtorch's own backward node ({@code HardtanhBackward0}, ...). Built from DJL's bindings
 * instead, relu6's backward was four element-wise operations ({@code clamp}'s {@code ge}, {@code
 * le}, {@code logical_and}, {@code where}), a quarter of a MobileNetV2-SSD-Lite step
 * (docs/backends.md). The modules hold no tensors, so they serve every device and session; they
 * are loaded once per process, on first use.
 */
final class ScriptedOps {
  /** The scripted activations and the TorchScript expression each returns. */
  enum Fn {
    RELU6("Relu6", "torch.hardtanh(x, 0., 6.)"),
    HARD_SIGMOID("HardSigmoid", "torch.hardsigmoid(x)"),
    HARD_SWISH("HardSwish", "torch.hardswish(x)"),
    SILU("Silu", "torch.silu(x)");

    final String className;
    final String expression;

    Fn(String className, String expression) {
      this.className = className;
      this.expression = expression;
    }
  }

  private static final Map<Fn, PtSymbolBlock> MODULES = new EnumMap<>(Fn.class);
  private static PtNDManager owner;

  private ScriptedOps() {}

  /** {@code fn(x)}, recorded for autograd when gradient mode is on; owned by {@code x}'s manager. */
  static NDArray apply(Fn fn, NDArray x) {
    return IValueUtils.forward(module(fn), new NDList(x), true).singletonOrThrow();
  }

  private static synchronized PtSymbolBlock module(Fn fn) {
    PtSymbolBlock m = MODULES.get(fn);
    if (m == null) {
      if (owner == null) {
        owner = (PtNDManager) Engine.getEngine(TorchRuntime.ENGINE).newBaseManager();
      }
      m = load(fn, owner);
      MODULES.put(fn, m);
    }
    return m;
  }

  private static PtSymbolBlock load(Fn fn, PtNDManager manager) {
    Path file = null;
    try {
      file = Files.createTempFile("holdout-" + fn.className.toLowerCase(java.util.Locale.ROOT), ".pt");
      try (OutputStream out = Files.newOutputStream(file)) {
        write(fn, out);
      }
      return JniUtils.loadModule(manager, file, false, new String[0], new String[0], false);
    } catch (IOException | RuntimeException e) {
      throw new HoldoutException(
          "cannot load the TorchScript module for " + fn.name().toLowerCase(java.util.Locale.ROOT)
              + " into libtorch: " + e.getMessage(), e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temporary file left behind is harmless
        }
      }
    }
  }

  /**
   * The TorchScript archive of {@code fn}'s module (format version 3, which libtorch 1.x and 2.x
   * read): {@code data.pkl} is pickle protocol 2 for "an instance of {@code __torch__.<class>}
   * whose state is {@code {'training': True}}".
   */
  static void write(Fn fn, OutputStream target) throws IOException {
    String root = fn.className.toLowerCase(java.util.Locale.ROOT) + "/";
    try (ZipOutputStream zip = new ZipOutputStream(target)) {
      entry(zip, root + "version", ascii("3\n"));
      entry(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      ByteArrayOutputStream data = new ByteArrayOutputStream();
      data.write(new byte[] {(byte) 0x80, 2, 'c'}); // protocol 2; GLOBAL module\nname\n
      data.write(ascii("__torch__\n" + fn.className + "\n"));
      data.write(new byte[] {')', (byte) 0x81, '}'}); // empty args, NEWOBJ, empty state dict
      byte[] key = ascii("training");
      data.write(new byte[] {'X', (byte) key.length, 0, 0, 0}); // BINUNICODE, 4-byte length
      data.write(key);
      data.write(new byte[] {(byte) 0x88, 's', 'b', '.'}); // True, SETITEM, BUILD, STOP
      entry(zip, root + "data.pkl", data.toByteArray());
      entry(
          zip,
          root + "code/__torch__.py",
          ascii(
              "class " + fn.className + "(Module):\n"
                  + "  __parameters__ = []\n"
                  + "  __buffers__ = []\n"
                  + "  training : bool\n"
                  + "  def forward(self: __torch__." + fn.className + ",\n"
                  + "    x: Tensor) -> Tensor:\n"
                  + "    return " + fn.expression + "\n"));
    }
  }

  private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content);
    zip.closeEntry();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
