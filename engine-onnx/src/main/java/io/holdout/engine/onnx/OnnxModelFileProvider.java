package io.holdout.engine.onnx;

import io.holdout.api.export.ModelFile;
import io.holdout.api.export.ModelFileInfo;
import io.holdout.api.export.ModelFileProvider;
import io.holdout.api.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;

/**
 * Service-provider entry of this module's model-file runner ({@code META-INF/services/io.holdout
 * .api.export.ModelFileProvider}): format {@value OnnxExporter#FORMAT}, artifact {@code
 * holdout-engine-onnx}; files open in an {@link OnnxModelFile}.
 */
public final class OnnxModelFileProvider implements ModelFileProvider {
  @Override
  public String format() {
    return OnnxExporter.FORMAT;
  }

  @Override
  public String artifact() {
    return "holdout-engine-onnx";
  }

  @Override
  public ModelFile open(Path file) {
    OnnxModelFile f = OnnxModelFile.open(file);
    ModelFileInfo info = f.info();
    return new ModelFile() {
      @Override
      public ModelFileInfo info() {
        return info;
      }

      @Override
      public Map<String, Tensor> run(Tensor input) {
        return f.run(input);
      }

      @Override
      public Map<String, Tensor> runPixels(byte[] pixels, long[] shape) {
        return f.runPixels(pixels, shape);
      }

      @Override
      public void close() {
        f.close();
      }
    };
  }
}
