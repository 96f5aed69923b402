import { ModelError } from '../../errors';

export class OnnxError extends ModelError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'OnnxError';
  }
}
