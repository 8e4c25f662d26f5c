package dev.bpfunit.spec;

import dev.bpfunit.error.BpfException;
import dev.bpfunit.btf.Btf;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything an ELF object defines (programs, maps, global variables, BTF), parsed and linked, not loaded.
 *
 * @param name       the file name, used in messages ({@code xdp_fw.bpf.o})
 * @param objectName the object name libbpf derives (file name up to the first dot), used for map names
 * @param programs   the entry programs
 * @param maps       the maps, global data maps included
 * @param variables  the global variables
 * @param btf        the object's BTF, fixed up for the kernel, or {@code null} when it has none
 * @param license    the {@code license} section
 * @param kernelVersion the {@code version} section, 0 if none
 */
public record ObjectSpec(String name, String objectName, List<ProgramSpec> programs, List<MapSpec> maps,
                         List<VariableSpec> variables, Btf btf, String license, int kernelVersion) {

    /** @throws BpfException if two programs or two maps have the same name (a test finds them by name) */
    public ObjectSpec {
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
        variables = List.copyOf(variables);
        java.util.Map<String, ProgramSpec> programNames = new java.util.HashMap<>();
        for (ProgramSpec p : programs) {
            ProgramSpec other = programNames.putIfAbsent(p.name(), p);
            if (other != null) {
                throw new BpfException(name + ": two programs are named '" + p.name() + "' (sections '"
                        + other.section() + "' and '" + p.section() + "'): programs are found by name, so each "
                        + "needs its own; rename one of the functions");
            }
        }
        java.util.Map<String, MapSpec> mapNames = new java.util.HashMap<>();
        for (MapSpec m : maps) {
            MapSpec other = mapNames.putIfAbsent(m.name(), m);
            if (other != null) {
                throw new BpfException(name + ": two maps are named '" + m.name() + "' (" + other.describe()
                        + "; " + m.describe() + "): maps are found by name, so each needs its own; rename one");
            }
        }
    }

    /** The program with this name; a wrong name lists the names that exist. */
    public ProgramSpec program(String programName) {
        return findProgram(programName).orElseThrow(() -> new BpfException(
                "no program '" + programName + "' in " + name + "; programs: " + names(programs.stream()
                        .map(ProgramSpec::name).collect(Collectors.toList()))));
    }

    /** The program with this name, if any. */
    public Optional<ProgramSpec> findProgram(String programName) {
        return programs.stream().filter(p -> p.name().equals(programName)).findFirst();
    }

    /** The map with this name; a wrong name lists the names that exist. */
    public MapSpec map(String mapName) {
        return findMap(mapName).orElseThrow(() -> new BpfException(
                "no map '" + mapName + "' in " + name + "; maps: " + names(maps.stream()
                        .map(MapSpec::name).collect(Collectors.toList()))));
    }

    /** The map with this name, if any. */
    public Optional<MapSpec> findMap(String mapName) {
        return maps.stream().filter(m -> m.name().equals(mapName)).findFirst();
    }

    /** The global variable with this name, if any. */
    public Optional<VariableSpec> findVariable(String variableName) {
        return variables.stream().filter(v -> v.name().equals(variableName)).findFirst();
    }

    static String names(List<String> names) {
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }
}
