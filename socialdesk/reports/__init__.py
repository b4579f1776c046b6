"""Progress reports per workspace and period: HTML, PDF, CSV and XLSX, on demand or by e-mail on a schedule."""
