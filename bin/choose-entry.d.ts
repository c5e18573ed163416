// Types of bin/choose-entry.js, for the TypeScript that imports it (the build script and the tests).
export declare const SOURCE_ROOTS: string[];
export declare const BUILD_STAMP: string;
export declare function chooseEntry(root: string): { kind: 'dist' | 'tsx'; file: string; reason: string };
