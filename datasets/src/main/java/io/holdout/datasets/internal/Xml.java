package io.holdout.datasets.internal;

import io.holdout.api.HoldoutException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A small XML element tree with line numbers, for annotation files. DTDs and external entities are
 * refused, so a hostile file cannot read other files or the network.
 */
public final class Xml {
  private Xml() {}

  /** One element: its name, trimmed text, line and child elements. */
  public record Element(String name, String text, int line, List<Element> children) {
    /** The first child named {@code name}, or null. */
    public Element child(String name) {
      for (Element c : children) {
        if (c.name.equals(name)) {
          return c;
        }
      }
      return null;
    }

    /** All children named {@code name}. */
    public List<Element> all(String name) {
      List<Element> out = new ArrayList<>();
      for (Element c : children) {
        if (c.name.equals(name)) {
          out.add(c);
        }
      }
      return out;
    }
  }

  /** Parses {@code file}; errors name the file and line. */
  public static Element read(Path file) {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    try (InputStream in = Files.newInputStream(file)) {
      XMLStreamReader r = f.createXMLStreamReader(in);
      Deque<Object[]> stack = new ArrayDeque<>(); // name, line, text, children
      Element root = null;
      while (r.hasNext()) {
        int ev = r.next();
        if (ev == XMLStreamConstants.START_ELEMENT) {
          stack.push(
              new Object[] {
                r.getLocalName(),
                r.getLocation().getLineNumber(),
                new StringBuilder(),
                new ArrayList<Element>()
              });
        } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
          if (!stack.isEmpty()) {
            ((StringBuilder) stack.peek()[2]).append(r.getText());
          }
        } else if (ev == XMLStreamConstants.END_ELEMENT) {
          Object[] o = stack.pop();
          @SuppressWarnings("unchecked")
          List<Element> children = (List<Element>) o[3];
          Element e =
              new Element(
                  (String) o[0], o[2].toString().trim(), (Integer) o[1], List.copyOf(children));
          if (stack.isEmpty()) {
            root = e;
          } else {
            @SuppressWarnings("unchecked")
            List<Element> parent = (List<Element>) stack.peek()[3];
            parent.add(e);
          }
        } else if (ev == XMLStreamConstants.DTD) {
          throw new HoldoutException(
              file
                  + ":"
                  + r.getLocation().getLineNumber()
                  + ": DOCTYPE declarations are not allowed in annotation files");
        }
      }
      if (root == null) {
        throw new HoldoutException(file + ": no XML element");
      }
      return root;
    } catch (NoSuchFileException e) {
      throw new HoldoutException(file + ": file not found");
    } catch (XMLStreamException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNumber();
      String msg = e.getMessage();
      int cut = msg == null ? -1 : msg.lastIndexOf("Message: ");
      if (cut >= 0) {
        msg = msg.substring(cut + "Message: ".length());
      }
      throw new HoldoutException(
          file
              + (line > 0 ? ":" + line : "")
              + ": not valid XML: "
              + (msg == null ? "" : msg.trim()));
    } catch (IOException e) {
      throw new HoldoutException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
