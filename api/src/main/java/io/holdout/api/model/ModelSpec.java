package io.holdout.api.model;

import io.holdout.api.model.LayerSpec.BatchNorm;
import io.holdout.api.model.LayerSpec.Conv2d;
import io.holdout.api.model.LayerSpec.Dense;
import io.holdout.api.model.ParamInfo.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An engine-neutral model: a trunk of layers applied to the input, then named heads applied to the
 * trunk's output. This is data, compiled by each backend.
 *
 * <p>Parameter names are {@code trunk.<i>.<p>} and {@code heads.<head>.<j>.<p>} where {@code i, j}
 * are layer positions and {@code p} is {@code weight}, {@code bias}, {@code running_mean} or {@code
 * running_var} (batch norm's scale and shift are its {@code weight} and {@code bias}). A multi-scale
 * head (see {@link HeadSpec}) instead reads several trunk outputs ("taps") and has, per tap {@code
 * t} (its position in the head's tap list), {@code heads.<head>.<t>.weight} {@code [k·units, C_t, 3,
 * 3]} and {@code heads.<head>.<t>.bias} {@code [k·units]}.
 */
public record ModelSpec(long[] inputShape, List<LayerSpec> trunk, List<HeadSpec> heads) {

  public ModelSpec {
    inputShape = inputShape.clone();
    trunk = List.copyOf(trunk);
    heads = List.copyOf(heads);
    if (heads.isEmpty()) {
      throw new IllegalArgumentException("a model needs at least one head");
    }
    Set<String> names = new HashSet<>();
    for (HeadSpec h : heads) {
      if (!names.add(h.name())) {
        throw new IllegalArgumentException("duplicate head name '" + h.name() + "'");
      }
    }
    // validates every shape once, so that errors surface when the spec is built
    validateShapes(inputShape, trunk, heads);
  }

  public HeadSpec head(String name) {
    for (HeadSpec h : heads) {
      if (h.name().equals(name)) {
        return h;
      }
    }
    throw new IllegalArgumentException("no head '" + name + "'");
  }

  /** Shape after the trunk (the input of every head). */
  public long[] trunkOutputShape() {
    return trunkShape(inputShape, trunk);
  }

  private static long[] trunkShape(long[] inputShape, List<LayerSpec> trunk) {
    long[] s = inputShape.clone();
    for (int i = 0; i < trunk.size(); i++) {
      s = trunk.get(i).outputShape(s, "trunk layer " + i + " (" + trunk.get(i).type() + ")");
    }
    return s;
  }

  /**
   * The output shape of every trunk layer, in order ({@code trunkShapes().get(i)} is what layer
   * {@code i} outputs, without the batch dimension).
   */
  public List<long[]> trunkShapes() {
    List<long[]> out = new ArrayList<>(trunk.size());
    long[] s = inputShape.clone();
    for (int i = 0; i < trunk.size(); i++) {
      s = trunk.get(i).outputShape(s, "trunk layer " + i + " (" + trunk.get(i).type() + ")");
      out.add(s.clone());
    }
    return out;
  }

  /**
   * The feature maps a multi-scale head reads: the output shape {@code [C, H, W]} of each of its
   * taps, in the head's tap order (empty for a usual head).
   */
  public List<long[]> tapShapes(String head) {
    HeadSpec h = head(head);
    List<long[]> all = trunkShapes();
    List<long[]> out = new ArrayList<>(h.taps().size());
    for (int t : h.taps()) {
      out.add(all.get(t).clone());
    }
    return out;
  }

  /**
   * The shape of head {@code head}'s output without the batch dimension: {@code [units]} for a
   * usual head with a flat trunk output, {@code [A, units]} for a multi-scale head ({@code A = Σ_t
   * H_t·W_t·k} anchors).
   */
  public long[] outputShape(String head) {
    return headShape(head(head), trunkShapes(), trunkOutputShape());
  }

  private long[] headShape(HeadSpec h, List<long[]> trunkShapes, long[] trunkOut) {
    if (h.isMultiScale()) {
      long anchors = 0;
      for (int t : h.taps()) {
        long[] s = trunkShapes.get(t);
        anchors += s[1] * s[2] * h.anchorsPerLocation();
      }
      return new long[] {anchors, h.units()};
    }
    long[] s = trunkOut;
    for (int j = 0; j < h.layers().size(); j++) {
      s = h.layers().get(j).outputShape(s, "head '" + h.name() + "' layer " + j);
    }
    return s;
  }

  /** Validates shapes through every layer and returns the trunk output shape. */
  private static long[] validateShapes(long[] inputShape, List<LayerSpec> trunk, List<HeadSpec> heads) {
    long[] t = trunkShape(inputShape, trunk);
    long[] s0 = inputShape.clone();
    List<long[]> shapes = new ArrayList<>();
    for (int i = 0; i < trunk.size(); i++) {
      s0 = trunk.get(i).outputShape(s0, "trunk layer " + i);
      shapes.add(s0);
    }
    for (HeadSpec h : heads) {
      if (h.isMultiScale()) {
        for (int tap : h.taps()) {
          if (tap < 0 || tap >= trunk.size()) {
            throw new IllegalArgumentException(
                "multi-scale head '" + h.name() + "' taps trunk layer " + tap
                    + " but the trunk has layers 0 to " + (trunk.size() - 1));
          }
          if (shapes.get(tap).length != 3) {
            throw new IllegalArgumentException(
                "multi-scale head '" + h.name() + "' taps trunk layer " + tap + " ("
                    + trunk.get(tap).type() + "), whose output " + Arrays.toString(shapes.get(tap))
                    + " is not an image [channels, height, width]");
          }
        }
        continue;
      }
      long[] s = t;
      for (int j = 0; j < h.layers().size(); j++) {
        s = h.layers().get(j).outputShape(s, "head '" + h.name() + "' layer " + j);
      }
    }
    return t;
  }

  /** Every state tensor in a fixed order: trunk layers, then heads in declaration order. */
  public List<ParamInfo> parameters() {
    List<ParamInfo> out = new ArrayList<>();
    long[] s = inputShape.clone();
    for (int i = 0; i < trunk.size(); i++) {
      addParams(out, "trunk." + i, trunk.get(i), s);
      s = trunk.get(i).outputShape(s, "trunk layer " + i);
    }
    long[] t = s;
    List<long[]> shapes = trunkShapes();
    for (HeadSpec h : heads) {
      if (h.isMultiScale()) {
        int filters = h.anchorsPerLocation() * h.units();
        for (int j = 0; j < h.taps().size(); j++) {
          long[] in = shapes.get(h.taps().get(j));
          addParams(out, "heads." + h.name() + "." + j, new Conv2d(filters, 3, 1, 1), in);
        }
        continue;
      }
      long[] hs = t;
      for (int j = 0; j < h.layers().size(); j++) {
        LayerSpec l = h.layers().get(j);
        addParams(out, "heads." + h.name() + "." + j, l, hs);
        hs = l.outputShape(hs, "head " + h.name());
      }
    }
    return out;
  }

  private static void addParams(List<ParamInfo> out, String prefix, LayerSpec layer, long[] in) {
    if (layer instanceof Dense d) {
      int fanIn = (int) in[0];
      out.add(new ParamInfo(prefix + ".weight", new long[] {d.units(), in[0]}, Role.WEIGHT, fanIn));
      out.add(new ParamInfo(prefix + ".bias", new long[] {d.units()}, Role.BIAS, fanIn));
    } else if (layer instanceof Conv2d c) {
      int fanIn = (int) (in[0] * c.kernel() * c.kernel());
      out.add(
          new ParamInfo(
              prefix + ".weight",
              new long[] {c.filters(), in[0], c.kernel(), c.kernel()},
              Role.WEIGHT,
              fanIn));
      out.add(new ParamInfo(prefix + ".bias", new long[] {c.filters()}, Role.BIAS, fanIn));
    } else if (layer instanceof BatchNorm) {
      long[] ch = {in[0]};
      out.add(new ParamInfo(prefix + ".weight", ch, Role.BN_GAMMA, 0));
      out.add(new ParamInfo(prefix + ".bias", ch, Role.BN_BETA, 0));
      out.add(new ParamInfo(prefix + ".running_mean", ch, Role.BN_RUNNING_MEAN, 0));
      out.add(new ParamInfo(prefix + ".running_var", ch, Role.BN_RUNNING_VAR, 0));
    }
  }

  /**
   * Layer types used anywhere in the model, for capability checks; a multi-scale head counts as
   * {@value HeadSpec#MULTISCALE_TYPE} (not as the convolutions it applies).
   */
  public Set<String> layerTypes() {
    Set<String> types = new HashSet<>();
    trunk.forEach(l -> types.add(l.type()));
    for (HeadSpec h : heads) {
      if (h.isMultiScale()) {
        types.add(HeadSpec.MULTISCALE_TYPE);
      } else {
        h.layers().forEach(l -> types.add(l.type()));
      }
    }
    return types;
  }
}
