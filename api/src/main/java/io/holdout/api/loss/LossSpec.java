package io.holdout.api.loss;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The loss of an experiment: named, weighted components whose weighted sum is the total. */
public record LossSpec(List<LossComponentSpec> components) {
  public LossSpec {
    components = List.copyOf(components);
    if (components.isEmpty()) {
      throw new IllegalArgumentException("a loss needs at least one component");
    }
    Set<String> names = new HashSet<>();
    for (LossComponentSpec c : components) {
      if (!names.add(c.name())) {
        throw new IllegalArgumentException("duplicate loss component name '" + c.name() + "'");
      }
    }
  }

  public List<String> names() {
    return components.stream().map(LossComponentSpec::name).toList();
  }

  public Set<String> types() {
    Set<String> t = new HashSet<>();
    components.forEach(c -> t.add(c.type()));
    return t;
  }
}
