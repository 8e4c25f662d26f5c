package dev.bpfunit.btf;

/**
 * One {@code bpf_line_info} record: the instruction at {@code insnOffset} comes from this source line.
 *
 * @param insnOffset     in 8-byte instruction slots (converted from the ELF's byte offsets)
 * @param fileNameOffset offset of the file name in the BTF string section
 * @param lineOffset     offset of the source line's text in the BTF string section
 * @param line           line number (1-based; 22 bits)
 * @param column         column (10 bits)
 * @param fileName       the file name, resolved
 * @param lineText       the source line, resolved
 */
public record LineInfo(int insnOffset, int fileNameOffset, int lineOffset, int line, int column, String fileName,
        String lineText) {
    public LineInfo withInsnOffset(int insnOffset) {
        return new LineInfo(insnOffset, fileNameOffset, lineOffset, line, column, fileName, lineText);
    }

    @Override
    public String toString() {
        return fileName + ":" + line + ":" + column + " (insn " + insnOffset + "): " + lineText.strip();
    }
}
