import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['node_modules', 'dist', 'migrations', 'bench/results', '.data']
  }),
  {
    // TypeBox contracts pair a schema constant with its Static type of the same name (STYLE.md §6).
    files: ['src/core/schemas/**/*.ts', 'src/apis/*/schemas/**/*.ts'],
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  }
]
