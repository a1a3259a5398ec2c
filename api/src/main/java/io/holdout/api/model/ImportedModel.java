package io.holdout.api.model;

import io.holdout.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network defined elsewhere, read into holdout's catalogue: its nodes (over {@link
 * ModelSpec#INPUT}) and their weights under holdout's parameter names, and per output of the
 * original graph the dense layer that produced it, which a head takes over.
 *
 * @param source the file it was read from, for messages
 * @param nodes the graph's nodes in order, without the output layers
 * @param outputs per output name of the original graph, in its order
 * @param weights every parameter of {@code nodes}, by {@code <node>.<p>} name
 */
public record ImportedModel(String source, List<Node> nodes, Map<String, Output> outputs, Map<String, Tensor> weights) {
  public ImportedModel {
    Objects.requireNonNull(source, "source is null");
    nodes = List.copyOf(nodes);
    outputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException(source + ": the graph has no output");
    }
  }

  /**
   * One output of the original graph: the dense layer {@code weight [units, in]}, {@code bias
   * [units]} that computed it from node {@code from}. {@code dropped} names what followed that layer
   * in the original graph and was left out because a holdout head outputs logits (e.g. {@code
   * Softmax}); null when nothing was.
   */
  public record Output(String from, Tensor weight, Tensor bias, String dropped) {
    public Output {
      Objects.requireNonNull(from, "from is null");
      Objects.requireNonNull(weight, "weight is null");
      Objects.requireNonNull(bias, "bias is null");
    }

    /** The output's width. */
    public int units() {
      return (int) weight.dim(0);
    }
  }

  /** The weights a head named {@code head} takes from output {@code output}, under the head's names. */
  public Map<String, Tensor> headWeights(String output, String head) {
    Output o = outputs.get(output);
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("heads." + head + ".0.weight", o.weight());
    out.put("heads." + head + ".0.bias", o.bias());
    return out;
  }
}
