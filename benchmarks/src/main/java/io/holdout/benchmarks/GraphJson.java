package io.holdout.benchmarks;

import io.holdout.api.model.HeadSpec;
import io.holdout.api.model.LayerSpec;
import io.holdout.api.model.ModelSpec;
import io.holdout.api.model.Node;
import io.holdout.api.model.ParamInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A model spec's graph as JSON, for {@code benchmarks/python/holdout_graph.py}, which builds the
 * same network from standard {@code torch.nn} modules: every node with its op and inputs, the head
 * outputs, and every parameter with its shape (names as in {@code weights.safetensors}).
 */
final class GraphJson {
  private GraphJson() {}

  static String of(ModelSpec spec) {
    List<String> nodes = new ArrayList<>();
    for (Node n : spec.graph()) {
      nodes.add("{\"name\": " + q(n.name()) + ", \"inputs\": ["
          + n.inputs().stream().map(GraphJson::q).collect(Collectors.joining(", ")) + "], \"op\": " + op(n.op())
          + ", \"shape\": " + Arrays.toString(spec.shape(n.name())) + "}");
    }
    List<String> heads = new ArrayList<>();
    for (HeadSpec h : spec.heads()) {
      heads.add("{\"name\": " + q(h.name()) + ", \"node\": " + q(spec.outputNode(h.name())) + ", \"kind\": "
          + q(h.kind().name().toLowerCase(Locale.ROOT)) + "}");
    }
    List<String> params = new ArrayList<>();
    for (ParamInfo p : spec.parameters()) {
      params.add("{\"name\": " + q(p.name()) + ", \"shape\": " + Arrays.toString(p.shape()) + ", \"trainable\": "
          + p.role().trainable() + "}");
    }
    return "{\n\"input\": " + Arrays.toString(spec.inputShape()) + ",\n\"nodes\": [\n  "
        + String.join(",\n  ", nodes) + "\n],\n\"heads\": [" + String.join(", ", heads) + "],\n\"parameters\": [\n  "
        + String.join(",\n  ", params) + "\n]\n}\n";
  }

  private static String op(LayerSpec l) {
    if (l instanceof LayerSpec.Dense d) {
      return "{\"type\": \"dense\", \"units\": " + d.units() + "}";
    } else if (l instanceof LayerSpec.Relu) {
      return "{\"type\": \"relu\"}";
    } else if (l instanceof LayerSpec.Activation a) {
      return "{\"type\": \"activation\", \"fn\": " + q(a.fn().name().toLowerCase(Locale.ROOT))
          + ", \"alpha\": " + a.alpha() + "}";
    } else if (l instanceof LayerSpec.Dropout d) {
      return "{\"type\": \"dropout\", \"rate\": " + d.rate() + "}";
    } else if (l instanceof LayerSpec.Flatten) {
      return "{\"type\": \"flatten\"}";
    } else if (l instanceof LayerSpec.Conv2d c) {
      return String.format(Locale.ROOT, "{\"type\": \"conv2d\", \"filters\": %d, \"kernel\": %d,"
          + " \"stride\": %d, \"padding\": %d, \"dilation\": %d, \"groups\": %d, \"bias\": %b}", c.filters(),
          c.kernel(), c.stride(), c.padding(), c.dilation(), c.groups(), c.bias());
    } else if (l instanceof LayerSpec.BatchNorm) {
      return "{\"type\": \"batchnorm\"}";
    } else if (l instanceof LayerSpec.MaxPool m) {
      return pool("maxpool", m.kernel(), m.stride(), m.padding(), m.ceil());
    } else if (l instanceof LayerSpec.AvgPool m) {
      return pool("avgpool", m.kernel(), m.stride(), m.padding(), m.ceil());
    } else if (l instanceof LayerSpec.GlobalAvgPool) {
      return "{\"type\": \"globalavgpool\"}";
    } else if (l instanceof LayerSpec.Add) {
      return "{\"type\": \"add\"}";
    } else if (l instanceof LayerSpec.Mul) {
      return "{\"type\": \"mul\"}";
    } else if (l instanceof LayerSpec.Concat c) {
      return "{\"type\": \"concat\", \"axis\": " + c.axis() + "}";
    } else if (l instanceof LayerSpec.Anchors a) {
      return "{\"type\": \"anchors\", \"units\": " + a.units() + "}";
    }
    throw new IllegalArgumentException("no JSON form for layer " + l);
  }

  private static String pool(String type, int kernel, int stride, int padding, boolean ceil) {
    return String.format(Locale.ROOT, "{\"type\": \"%s\", \"kernel\": %d, \"stride\": %d, \"padding\": %d,"
        + " \"ceil\": %b}", type, kernel, stride, padding, ceil);
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
