package io.holdout.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import io.holdout.api.HoldoutException;
import java.util.Locale;
import java.util.function.Function;

/**
 * A {@code derived:} rule's arithmetic: numbers, config key paths ({@code loader.batchSize}: the
 * trial's value; {@code base.optimizer.lr}: the base config's value), {@code + - * /} and
 * parentheses. Example: {@code base.optimizer.lr * loader.batchSize / 32}.
 */
final class Derived {
  private final String text;
  private final String where;
  private final Function<String, JsonNode> lookup;
  private int pos;

  private Derived(String text, String where, Function<String, JsonNode> lookup) {
    this.text = text;
    this.where = where;
    this.lookup = lookup;
  }

  /**
   * Evaluates {@code text}; {@code lookup} returns a key path's value (or null when absent).
   *
   * @throws HoldoutException naming {@code where} and what is wrong
   */
  static double evaluate(String text, String where, Function<String, JsonNode> lookup) {
    Derived d = new Derived(text, where, lookup);
    double v = d.expr();
    d.skip();
    if (d.pos < text.length()) {
      throw d.error("unexpected '" + text.charAt(d.pos) + "'");
    }
    if (!Double.isFinite(v)) {
      throw new HoldoutException(where + ": '" + text + "' is not a finite number (" + v + ")");
    }
    return v;
  }

  private double expr() {
    double v = term();
    while (true) {
      skip();
      if (eat('+')) {
        v += term();
      } else if (eat('-')) {
        v -= term();
      } else {
        return v;
      }
    }
  }

  private double term() {
    double v = factor();
    while (true) {
      skip();
      if (eat('*')) {
        v *= factor();
      } else if (eat('/')) {
        v /= factor();
      } else {
        return v;
      }
    }
  }

  private double factor() {
    skip();
    if (eat('-')) {
      return -factor();
    }
    if (eat('(')) {
      double v = expr();
      skip();
      if (!eat(')')) {
        throw error("missing ')'");
      }
      return v;
    }
    int start = pos;
    if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
      while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || ".eE".indexOf(text.charAt(pos)) >= 0
          || (pos > start && "+-".indexOf(text.charAt(pos)) >= 0 && "eE".indexOf(text.charAt(pos - 1)) >= 0))) {
        pos++;
      }
      try {
        return Double.parseDouble(text.substring(start, pos));
      } catch (NumberFormatException e) {
        throw error("bad number '" + text.substring(start, pos) + "'");
      }
    }
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_'
        || text.charAt(pos) == '.')) {
      pos++;
    }
    if (start == pos) {
      throw error(pos < text.length() ? "unexpected '" + text.charAt(pos) + "'" : "unexpected end");
    }
    String key = text.substring(start, pos);
    JsonNode v = lookup.apply(key);
    if (v == null || v.isNull() || v.isMissingNode()) {
      throw new HoldoutException(where + ": '" + key + "' has no value in the trial's config (in '" + text + "')");
    }
    if (!v.isNumber()) {
      throw new HoldoutException(where + ": '" + key + "' is not a number (" + v + ") in '" + text + "'");
    }
    return v.doubleValue();
  }

  private boolean eat(char c) {
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void skip() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private HoldoutException error(String what) {
    return new HoldoutException(String.format(Locale.ROOT, "%s: %s at character %d of '%s'", where, what, pos + 1,
        text));
  }
}
