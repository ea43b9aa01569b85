/** The report formats (`report --format`), each written next to result.json by bench and verify. */
export const reportFormats = ['md', 'html', 'junit'] as const;
export type ReportFormat = (typeof reportFormats)[number];
