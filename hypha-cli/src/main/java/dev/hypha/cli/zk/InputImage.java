package dev.hypha.cli.zk;

import dev.hypha.core.errors.ErrorCategory;
import dev.hypha.core.errors.HyphaException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The input of {@code hypha zk prove}: a PNG (greyscale, or colour turned to grey by integer luma) whose width × height
 * is the model's input size, or a raw file of exactly that many bytes (row-major pixels, as Fashion-MNIST stores them).
 * The PNG's dimensions are read from its header before any pixel is decoded, so a hostile file cannot make us decode a
 * huge image.
 */
public final class InputImage {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static final long MAX_FILE = 16 << 20;

    private InputImage() {}

    public static byte[] read(Path file, int size) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE) {
                throw HyphaException.input(file + " is larger than " + MAX_FILE + " bytes; an input is " + size + " pixels");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new HyphaException(ErrorCategory.NOT_FOUND, "no input file " + file, e);
        } catch (IOException e) {
            throw HyphaException.io("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length >= 8 && Arrays.equals(bytes, 0, 8, PNG_SIGNATURE, 0, 8)) {
            return png(file, bytes, size);
        }
        if (bytes.length != size) {
            throw HyphaException.input(file + " is neither a PNG nor " + size + " raw pixel bytes (it has " + bytes.length
                    + " bytes)");
        }
        return bytes;
    }

    private static byte[] png(Path file, byte[] bytes, int size) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw HyphaException.input(file + " is not a readable PNG");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w * h != size) {
                    throw HyphaException.input(file + " is " + w + " x " + h + " pixels; the model takes " + size);
                }
                BufferedImage image = reader.read(0);
                byte[] pixels = new byte[size];
                boolean grey = image.getColorModel().getNumColorComponents() == 1;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v;
                        if (grey) {
                            // the raw sample, scaled to 8 bits (16-bit greyscale PNGs keep their top byte)
                            int bits = image.getColorModel().getComponentSize(0);
                            v = image.getRaster().getSample(x, y, 0) >> Math.max(0, bits - 8);
                        } else {
                            int rgb = image.getRGB(x, y);
                            v = (299 * ((rgb >> 16) & 0xff) + 587 * ((rgb >> 8) & 0xff) + 114 * (rgb & 0xff) + 500) / 1000;
                        }
                        pixels[(int) (y * w + x)] = (byte) v;
                    }
                }
                return pixels;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HyphaException he) {
                throw he;
            }
            throw HyphaException.input(file + " is not a readable PNG: " + e.getMessage(), e);
        }
    }
}
